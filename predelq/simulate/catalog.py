"""Reference data of the simulated portfolio: makers, models, cities, names, holidays.

Everything here is fictional but realistic for Indian EV finance: prices and
battery sizes are in the range of real vehicles of each class, cities carry
their real coordinates, festivals their real dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# (name, country, VIN world-manufacturer prefix)
OEMS: list[tuple[str, str, str]] = [
    ("Arya Electric", "India", "MA7"),
    ("Sarathi Motors", "India", "MB3"),
    ("Vayu EV", "India", "MZ1"),
    ("Kestrel Mobility", "United Kingdom", "SAK"),
    ("Meridian Bus Works", "India", "MC9"),
]


@dataclass(frozen=True)
class Model:
    """An asset model and the typical use of one vehicle of it."""

    name: str
    oem: int  # index into OEMS
    vehicle_type: str  # car / scooter / three_wheeler / bus (docs/decisions.md D3)
    battery_kwh: float
    price_inr: int
    kwh_per_km: float
    daily_km: float  # typical km on an active day
    speed_kmh: float  # average speed while moving
    charger_kw: float  # usual (overnight) charger
    trips: tuple[int, int]  # trips per active day, min..max
    first_trip_min: int  # usual local minute of the first departure
    last_arrival_min: int  # usual local minute of the last arrival
    commercial: bool  # commercial use: few idle days, charges during the day when low
    weight: float  # share of accounts
    tenures: tuple[int, ...]  # loan tenures offered, months
    rate: tuple[float, float]  # annual interest rate range
    max_fleet: int  # largest number of these on one account


MODELS: list[Model] = [
    Model("Arya S1 Swift", 0, "scooter", 3.0, 120_000, 0.032, 38, 24, 0.75, (2, 4), 8 * 60 + 30, 20 * 60,
          False, 0.15, (12, 18, 24, 36), (0.16, 0.22), 1),
    Model("Arya S2 Cargo", 0, "scooter", 4.0, 145_000, 0.038, 85, 22, 1.0, (4, 6), 9 * 60, 21 * 60 + 30,
          True, 0.13, (12, 18, 24, 36), (0.17, 0.24), 5),
    Model("Sarathi eRik", 1, "three_wheeler", 7.5, 165_000, 0.068, 85, 15, 1.5, (4, 6), 7 * 60 + 30,
          20 * 60 + 30, True, 0.14, (18, 24, 36), (0.18, 0.24), 5),
    Model("Sarathi Cargo Pro", 1, "three_wheeler", 8.0, 320_000, 0.082, 80, 24, 1.5, (3, 5), 8 * 60,
          20 * 60, True, 0.12, (24, 36, 48), (0.15, 0.21), 5),
    Model("Sarathi Passenger Plus", 1, "three_wheeler", 10.2, 380_000, 0.088, 105, 22, 2.0, (4, 6),
          7 * 60, 21 * 60, True, 0.11, (24, 36, 48), (0.15, 0.21), 4),
    Model("Vayu Nexa", 2, "car", 30.2, 1_450_000, 0.14, 48, 28, 3.3, (2, 3), 8 * 60 + 30, 19 * 60 + 30,
          False, 0.12, (36, 48, 60), (0.085, 0.115), 1),
    Model("Vayu Cabby", 2, "car", 26.0, 1_150_000, 0.13, 175, 27, 7.2, (4, 6), 7 * 60, 22 * 60,
          True, 0.09, (36, 48, 60), (0.095, 0.125), 5),
    Model("Kestrel EQ5", 3, "car", 50.0, 2_250_000, 0.155, 45, 30, 7.2, (2, 3), 9 * 60, 19 * 60,
          False, 0.04, (36, 48, 60), (0.085, 0.11), 1),
    Model("Meridian City 9m", 4, "bus", 210.0, 11_000_000, 0.9, 170, 20, 60.0, (2, 4), 6 * 60,
          21 * 60, True, 0.06, (48, 60), (0.095, 0.12), 5),
    Model("Meridian Metro 12m", 4, "bus", 320.0, 16_000_000, 1.2, 210, 21, 80.0, (2, 4), 5 * 60 + 45,
          21 * 60 + 30, True, 0.04, (48, 60), (0.095, 0.12), 5),
]  # fmt: skip

# (city, lat, lon, state code for registrations, weight, spread of the city in km)
CITIES: list[tuple[str, float, float, str, float, float]] = [
    ("Bengaluru", 12.9716, 77.5946, "KA", 0.16, 12.0),
    ("Delhi", 28.6139, 77.2090, "DL", 0.16, 14.0),
    ("Mumbai", 19.0760, 72.8777, "MH", 0.12, 11.0),
    ("Pune", 18.5204, 73.8567, "MH", 0.10, 9.0),
    ("Hyderabad", 17.3850, 78.4867, "TS", 0.10, 11.0),
    ("Chennai", 13.0827, 80.2707, "TN", 0.10, 10.0),
    ("Kolkata", 22.5726, 88.3639, "WB", 0.08, 9.0),
    ("Ahmedabad", 23.0225, 72.5714, "GJ", 0.07, 8.0),
    ("Jaipur", 26.9124, 75.7873, "RJ", 0.06, 7.0),
    ("Lucknow", 26.8467, 80.9462, "UP", 0.05, 7.0),
]

FIRST_NAMES = [
    "Aarav", "Vivaan", "Aditya", "Arjun", "Sai", "Reyansh", "Krishna", "Ishaan", "Rohan", "Kabir",
    "Rahul", "Amit", "Suresh", "Ramesh", "Manoj", "Vikram", "Imran", "Farhan", "Gurpreet", "Harish",
    "Ananya", "Diya", "Priya", "Kavya", "Sneha", "Pooja", "Lakshmi", "Meera", "Fatima", "Ayesha",
    "Neha", "Sunita", "Anjali", "Deepa", "Shalini", "Ritu", "Simran", "Nandini", "Swati", "Geeta",
]  # fmt: skip
LAST_NAMES = [
    "Sharma", "Verma", "Gupta", "Patel", "Reddy", "Rao", "Nair", "Iyer", "Menon", "Das",
    "Banerjee", "Chatterjee", "Mukherjee", "Singh", "Kaur", "Khan", "Ahmed", "Shaikh", "Joshi", "Kulkarni",
    "Deshpande", "Pillai", "Naidu", "Yadav", "Mishra", "Pandey", "Tiwari", "Chauhan", "Mehta", "Shah",
]  # fmt: skip
FLEET_SUFFIXES = ["Logistics", "Mobility", "Transport", "Fleet Services", "Travels", "Carriers"]

PAYMENT_METHODS = ["nach", "upi", "cash", "cheque"]
PAYMENT_METHOD_WEIGHTS = [0.6, 0.25, 0.1, 0.05]
BOUNCE_REASONS = ["insufficient_funds", "mandate_cancelled", "account_frozen", "technical_failure"]
BOUNCE_REASON_WEIGHTS = [0.72, 0.1, 0.06, 0.12]

# Public holidays and big festivals (fixed-date ones every year, the rest by year).
_FIXED_HOLIDAYS = [(1, 26), (8, 15), (10, 2)]
_FESTIVALS = {
    # Holi, Eid al-Fitr, Ganesh Chaturthi, Dussehra, Diwali (two days), Christmas is fixed below
    2023: ["2023-03-08", "2023-04-22", "2023-09-19", "2023-10-24", "2023-11-12", "2023-11-13"],
    2024: ["2024-03-25", "2024-04-11", "2024-09-07", "2024-10-12", "2024-11-01", "2024-11-02"],
    2025: ["2025-03-14", "2025-03-31", "2025-08-27", "2025-10-02", "2025-10-20", "2025-10-21"],
    2026: ["2026-03-04", "2026-03-20", "2026-09-14", "2026-10-20", "2026-11-08", "2026-11-09"],
    2027: ["2027-03-22", "2027-03-10", "2027-09-04", "2027-10-09", "2027-10-29", "2027-10-30"],
    2028: ["2028-03-11", "2028-02-27", "2028-08-23", "2028-09-27", "2028-10-17", "2028-10-18"],
}


def holidays(first: dt.date, last: dt.date) -> set[dt.date]:
    """Public holidays and festival days between two dates (inclusive)."""
    out: set[dt.date] = set()
    for year in range(first.year, last.year + 1):
        out.update(dt.date(year, m, d) for m, d in _FIXED_HOLIDAYS)
        out.add(dt.date(year, 12, 25))
        out.update(dt.date.fromisoformat(s) for s in _FESTIVALS.get(year, []))
    return {d for d in out if first <= d <= last}
