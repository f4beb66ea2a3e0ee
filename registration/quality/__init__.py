"""Data quality: what is wrong or doubtful in a commune's records, and the gate
that keeps a list or a payment cycle in the commune while anyone on it is
unverified or has a blocking finding.

- :mod:`~registration.quality.findings`: the kinds of finding (title, whether
  it concerns money) and the :class:`~registration.quality.findings.Finding`
  a check yields;
- :mod:`~registration.quality.checks`: one function per kind of finding and
  :func:`~registration.quality.checks.find_problems`, which the page, the
  ``data_quality`` command and the gate all read: the rule lives there once;
- :mod:`~registration.quality.gate`: who keeps a list or a cycle from being
  sent (:func:`~registration.quality.gate.submission_blockers`);
- :mod:`~registration.quality.figures`: the counts the page, the dashboard and
  the monthly report show.

Blocking vs warning, per finding (also in ``docs/data-quality.md``):

============================  =========================================
finding                       severity
============================  =========================================
duplicate_id                  blocking
possible_duplicate            warning
shared_account                blocking
account_not_receivers         blocking
holder_name_mismatch          blocking when a registration checked uses
                              the account, warning otherwise
authorisation_expired         blocking when a registration checked uses
                              it, warning otherwise
authorisation_expiring        warning (within 30 days)
representative_minor          blocking when a registration checked uses
                              them, warning otherwise
dead_active                   blocking
cashless_without_account      blocking
id_disagrees                  blocking
year_only_age                 warning
============================  =========================================
"""
