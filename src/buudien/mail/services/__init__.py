"""Every write of mail, by sub-domain: acceptance (`acceptance.accept`), events
(`tracking.record_event`), bags and trips (`bags`), routes (`routes`), delivery and COD
(`delivery`), and the daily rollup (`rollups`). Import from the submodule."""
