"""Tools beside the product: the synthetic demo borough (demo), the page benchmark (bench) and
the load benchmark (loadbench). Nothing in the product imports them."""
