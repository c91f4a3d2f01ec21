"""The satisfaction survey (SKM) and its index (IKM), Permenpan RB 14/2017 (issue 12, point 6)."""
