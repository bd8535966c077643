"""Ingest: find the files, decode them, read each format, separate metadata and furniture from
content, and cut the content into chunks with offsets into the file's text."""
