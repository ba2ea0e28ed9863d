"""Licence plates: formats as data (formats.toml), the normalisation of what OCR and cameras read, the
vote of one vehicle's readings into one read, and the OCR that reads them (cameras.plates.ocr)."""
