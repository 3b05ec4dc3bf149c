"""Shop data: datasets, import profiles, validation, the warehouse and metric compilation."""
