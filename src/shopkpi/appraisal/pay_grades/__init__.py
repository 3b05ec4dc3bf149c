"""What results lead to (seed 003 薪等/薪级, 《绩效考评与薪酬调整对照表》; seed 000 方案2): the pay-grade
table, each employee's current 薪等/薪级 and the adjustment table (tables), the year-end proposals HR and
then the GM approve (proposals), and their workbook for payroll (workbook)."""
