"""`predelq simulate`: a simulated EV-finance portfolio with known ground truth.

Modules, in the order a run uses them:

- `config`     the run's options (SimConfig), validated
- `catalog`    makers, models, cities, names, festivals
- `portfolio`  customers, accounts, vehicles, bases and work places
- `risk`       cohorts and the latent risk r(t) per account and day
- `loanbook`   loan terms, schedules, payments, the DPD rule, delinquency events
- `devices`    device swaps and re-use, sales, repossessions, going dark
- `world`      all of the above in order, from independent random streams
- `telemetry`  minute readings one local day at a time, dirty rows
- `tables`     Arrow tables with the raw/truth columns
- `writer`     DuckDB (Arrow insert) and PostgreSQL (COPY) writers
- `engine`     a whole run, with its summary
- `truth`      reading truth back: the oracle AUC

The model (cohorts, risk, behaviour, DPD rule) is documented in docs/decisions.md
and in each module's docstring. Same seed and options => identical tables.
"""
