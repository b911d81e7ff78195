"""Mail pages, by who uses them: the counter's acceptance, items and customers (`counter`),
delivery, COD and scans (`delivery`), bags, routes, trips and exceptions (`network`), and the
public tracking page (`public`)."""
