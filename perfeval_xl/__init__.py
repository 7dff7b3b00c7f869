"""perfeval_xl: templates, validation, scoring and write-back for 部门整体支出绩效自评 workbooks."""

__version__ = "0.1.0"
