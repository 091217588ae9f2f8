"""Evidence rules, one module each, discovered automatically (see `cnmm.rules.base`)."""
