"""The spine's REST API (one view per operation) and the API-wide exception handler."""
