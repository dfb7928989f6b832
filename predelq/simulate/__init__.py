"""`predelq simulate`: a simulated EV-finance portfolio with known ground truth.

Modules, in the order a run uses them:

- `config`     the run's options (SimConfig), validated
- `catalog`    makers, models, cities, names, festivals
- `portfolio`  customers, accounts, vehicles, bases and work places
- `risk`       archetypes, baselines, whether trouble shows in driving
- `process`    the day-by-day process: latent risk, payments, DPD (docs/simulator.md)
- `loanbook`   loan terms, schedules, payments, the DPD rule, delinquency events
- `devices`    device swaps and re-use, sales, repossessions, going dark
- `world`      all of the above in order, from independent random streams
- `telemetry`  minute readings one local day at a time, dirty rows
- `tables`     Arrow tables with the raw/truth columns
- `writer`     DuckDB (Arrow insert) and PostgreSQL (COPY) writers
- `engine`     a whole run, with its summary
- `oracle`     the Monte-Carlo oracle (re-simulating the future from a copied state)
- `realism`    the realism figures of a portfolio
- `truth`      reading truth back: oracle scores, labels, AUC

The model is written down in docs/simulator.md. Same seed and options => identical
tables.
"""
