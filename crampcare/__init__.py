"""crampcare: a clinical workbench for acupuncture in muscle cramps and spasms."""

__version__ = "0.1.0"
