"""The organisation service: departments, positions and their templates, employees with their
effective-dated terms, and account ownership, kept only in the application database.

The pages, the API, the importer (`shopkpi import employees|accounts|positions`) and the demo all
change the organisation through it: `service` for one change, `files` for a workbook, both through a
`draft.Draft` that checks the whole organisation and audits every change. `snapshot` hands the
organisation to the metric step.
"""
