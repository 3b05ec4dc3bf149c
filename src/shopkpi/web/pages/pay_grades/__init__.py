"""Pay grades (薪等薪级) and the year-end adjustments: HR's tables, the year's proposals HR and the GM
approve with their workbook, and each employee's own."""
