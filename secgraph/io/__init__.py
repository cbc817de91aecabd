"""Import and export of data sets: CSV, Excel workbooks."""
