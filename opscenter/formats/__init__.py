"""Date and number formats of the languages Django ships none for (FORMAT_MODULE_PATH): Kazakh."""
