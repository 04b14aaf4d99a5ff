"""Eligible lists: the remaining qualified candidates of a completed round, kept in their
categories and order for the round's job profile until the list expires, for later vacancies.

`services` establishes a list when a round completes and takes a candidate off at their
request; `offers` makes an offer from a list (the same online offer as in a round, under the
same category rule); `queries` reads lists for HR's pages. A list past its last day is read as
expired (a rule read at the moment, no job needed): it stays for the record and makes no offers.
"""
