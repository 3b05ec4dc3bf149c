"""One review through its steps: the workflow, scoring, deadlines, reopening and each person's to-do list."""
