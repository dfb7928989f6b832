"""`predelq db-create`: create the database (PostgreSQL) and the raw/truth schemas."""


def add_arguments(parser) -> None:
    parser.add_argument("--no-truth", action="store_true", help="do not create the simulator's truth schema")


def run(args) -> int:
    from predelq.db import Target, connection, execute_all
    from predelq.landing import all_ddl

    target = Target.from_env(args.target)
    if target.ensure_database():
        print(f"created database {target.pg_params['dbname']}")
    with connection(target) as con:
        execute_all(con, all_ddl(target.engine, include_truth=not args.no_truth))
    print(f"raw schema ready on {target.describe()}")
    return 0
