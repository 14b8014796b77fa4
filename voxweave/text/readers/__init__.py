"""One reader per format. Each public reader module has `read(data: bytes, path: Path) -> Document`;
`path` only names the file. Modules starting with an underscore are helpers the readers share.

Contract shared by all readers: paragraphs are plain text on one line, stripped, never empty, and
hold everything the document prints, headings included (a chapter's heading is normally its first
paragraph); a chapter's title is its label. Nothing is dropped but markup, navigation, page
furniture (page numbers, running headers) and footnote reference marks.
"""
