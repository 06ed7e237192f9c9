"""The label sets of the product: topic labels, region slugs, and which region each country is in.

These names are part of the output contract (other tools depend on them): change them only with a
new major version of the record schema.
"""

TOPICS: tuple[str, ...] = ("diplomacy", "space", "defence")

REGIONS: tuple[str, ...] = (
    "north-america",
    "latin-america-caribbean",
    "europe",
    "middle-east-north-africa",
    "sub-saharan-africa",
    "central-asia-caucasus",
    "south-asia",
    "east-asia",
    "southeast-asia",
    "oceania",
)

# ISO 3166-1 alpha-2 codes per region, following the region definitions of the record contract.
# Russia is wholly in europe; Turkey, Egypt and the Maghreb in middle-east-north-africa; Antarctica
# and a few uninhabited territories belong to no region.
_REGION_MEMBERS: dict[str, str] = {
    "north-america": "US CA GL BM PM UM",
    "latin-america-caribbean": (
        "MX GT BZ SV HN NI CR PA CO VE EC PE BO BR PY UY AR CL GY SR GF FK "
        "CU JM HT DO PR BS BB TT AG DM GD KN LC VC AW CW SX BQ MF BL KY TC VG VI AI MS GP MQ"
    ),
    "europe": (
        "GB IE FR DE NL BE LU CH AT LI MC AD SM VA IT MT ES PT GI DK NO SE FI IS FO AX SJ "
        "EE LV LT PL CZ SK HU SI HR BA RS ME MK AL XK GR CY BG RO MD UA BY RU IM JE GG"
    ),
    "middle-east-north-africa": (
        "TR IR IQ SY LB IL PS JO SA YE OM AE QA BH KW EG LY TN DZ MA EH"
    ),
    "sub-saharan-africa": (
        "MR ML NE TD SD SS ER DJ ET SO KE UG RW BI TZ SN GM GW GN SL LR CI BF GH TG BJ NG CM "
        "CF GQ GA CG CD AO ZM MW MZ ZW BW NA ZA LS SZ MG MU SC KM CV ST RE YT SH"
    ),
    "central-asia-caucasus": "KZ KG TJ TM UZ AM AZ GE",
    "south-asia": "AF PK IN BD LK NP BT MV IO",
    "east-asia": "CN HK MO TW JP KP KR MN",
    "southeast-asia": "MM TH LA KH VN MY SG ID BN PH TL",
    "oceania": (
        "AU NZ PG FJ SB VU NC PF WS TO TV KI NR MH FM PW GU MP AS CK NU TK WF PN NF CX CC"
    ),
}

COUNTRY_REGION: dict[str, str] = {
    code: region for region, codes in _REGION_MEMBERS.items() for code in codes.split()
}


def region_of(country_code: str) -> str | None:
    """The region slug of an ISO 3166-1 alpha-2 code, or None for codes in no region."""
    return COUNTRY_REGION.get(country_code.upper())
