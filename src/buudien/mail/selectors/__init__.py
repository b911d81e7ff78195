"""Every read of mail, always scoped by the acting user: items and their events (`items`),
bags, routes and trips (`bags`), delivery lists and COD (`delivery`), public tracking
(`public`), exceptions (`exceptions`). Import from the submodule."""
