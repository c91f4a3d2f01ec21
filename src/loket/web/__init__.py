"""Web: the pages people use (thin views over services and selectors)."""
