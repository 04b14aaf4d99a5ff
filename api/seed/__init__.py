"""The API's part of the demo data and of the synthetic city."""
