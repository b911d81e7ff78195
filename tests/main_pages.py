"""The main pages of each role: the pages the browser tests check for accessibility and
photograph for the docs, and the pages bench/pages weighs and times. One list for both.

A path may hold `{point}` (the acting clerk's point code), `{area}` (the area manager's
unit code) or `{province}` (the province's code); the caller fills them in."""

from __future__ import annotations

from typing import NamedTuple


class MainPage(NamedTuple):
    role: str  # the demo login; "" for a citizen without an account
    path: str
    name: str  # a short name, also the screenshot's file name


MAIN_PAGES: tuple[MainPage, ...] = (
    MainPage("", "/tra-cuu/", "public-lookup"),
    MainPage("", "/login/", "login"),
    MainPage("diemvhx", "/counter/", "clerk-counter"),
    MainPage("diemvhx", "/dossiers/", "clerk-dossiers"),
    MainPage("diemvhx", "/dossiers/new/", "clerk-dossier-intake"),
    MainPage("diemvhx", "/payouts/", "clerk-payouts"),
    MainPage("khuvuc", "/", "area-home"),
    MainPage("khuvuc", "/counter/sessions/", "area-sessions"),
    MainPage("khuvuc", "/network/", "area-network"),
    MainPage("tinh", "/", "province-home"),
    MainPage("tinh", "/reports/", "province-reports"),
    MainPage("tinh", "/reports/{province}/", "province-report"),
    MainPage("tinh", "/plans/", "province-plans"),
    MainPage("tinh", "/payouts/", "province-payouts"),
    MainPage("tinh", "/payouts/cashless/", "province-cashless"),
    MainPage("tinh", "/payouts/beneficiaries/", "province-beneficiaries"),
    MainPage("tinh", "/dossiers/report/", "province-dossier-report"),
    MainPage("doitac", "/dossiers/", "partner-dossiers"),
    MainPage("kiemsoat", "/reports/", "auditor-reports"),
)
