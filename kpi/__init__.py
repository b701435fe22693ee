"""Target tracking for the Kon Tum Department of Transport's emulation plan: the domain, free of any UI."""
