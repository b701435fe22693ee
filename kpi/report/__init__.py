"""Review reports (sơ kết, tổng kết): `content` decides what a report says, `sentences` words each target,
`workbook` lays it out as .xlsx."""
