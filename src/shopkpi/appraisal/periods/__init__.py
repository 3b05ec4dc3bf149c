"""A period's cycle: who it appraises, preparing and opening it, its values, closing and its consequences."""
