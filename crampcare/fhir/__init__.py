"""FHIR R4 exchange: reading patients' records into crampcare (``from_fhir``, ``reader``) and
writing them back (``to_fhir``). Code systems and shared codes live in ``codes``."""
