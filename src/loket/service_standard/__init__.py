"""The Standar Pelayanan of each service (Permenpan RB 15/2014), built from the SOP file and the unit's settings (issue 12, point 5)."""
