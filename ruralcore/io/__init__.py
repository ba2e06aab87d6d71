"""Files in and out: the Excel/CSV templates, their import with row-and-column messages and
export, the values files."""
