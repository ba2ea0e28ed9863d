"""What bracelets send: read by the spine's one tracking parser (opscenter.osmand, shared with patrol
units); what the alarms mean is the bracelets' own."""

from opscenter.osmand import (
    KNOTS_PER_MPS,
    MAX_32_BIT,
    Report,
    ReportError,
    claimed_device_ids,
    parse_timestamp,
    read_batch,
    read_geolocation_location,
    read_osmand_json,
    read_osmand_parameters,
    read_osmand_query,
    read_traccar_forward,
)

TAMPER_ALARMS = {"tampering", "tamper"}
REMOVAL_ALARMS = {"removing", "removal"}

__all__ = [
    "KNOTS_PER_MPS",
    "MAX_32_BIT",
    "REMOVAL_ALARMS",
    "TAMPER_ALARMS",
    "Report",
    "ReportError",
    "claimed_device_ids",
    "parse_timestamp",
    "read_batch",
    "read_geolocation_location",
    "read_osmand_json",
    "read_osmand_parameters",
    "read_osmand_query",
    "read_traccar_forward",
]
