"""Which requests come from the same company: a pure key from its name and mail domain.

A company that talks to several bureaus at once writes its name a little
differently each time (株式会社 before or after, ㈱, full-width letters, Co., Ltd.);
HR wants those requests side by side. The key folds those differences away and
adds the e-mail domain, so two different firms that happen to share a short name
(or both write from a free-mail address) are not merged.
"""

import re
import unicodedata
from collections import defaultdict

# Japanese legal forms, as they read after NFKC and casefold (㈱ and （株） both become (株)).
_JAPANESE_FORMS = [
    "特定非営利活動法人",
    "一般社団法人",
    "公益社団法人",
    "一般財団法人",
    "公益財団法人",
    "独立行政法人",
    "社会福祉法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "合名会社",
    "合資会社",
    "相互会社",
    "医療法人",
    "学校法人",
    "npo法人",
]
_ABBREVIATED_FORMS = re.compile(
    r"[(（](?:株|有|合|同|名|資|社|財|一社|公社|一財|公財|特非|医|学)[)）]"
)
# Latin legal forms, matched as whole words once punctuation is gone.
_LATIN_FORMS = frozenset(
    {
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "kabushiki",
        "kaisha",
        "kk",
        "gk",
        "limited",
        "llc",
        "ltd",
        "plc",
    }
)
# "K.K." and "G.K." lose their dots before the words are split.
_DOTTED_FORMS = re.compile(r"\b([kg])\s*\.\s*k\b\.?")


def normalise_company_name(name):
    """The company's name without case, width, spacing, punctuation or legal form.

    Falls back to the folded name when nothing else is left (a firm called "Company").
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _ABBREVIATED_FORMS.sub(" ", text)
    for form in _JAPANESE_FORMS:
        text = text.replace(form, " ")
    text = _DOTTED_FORMS.sub(lambda match: f" {match.group(1)}k ", text)
    # Punctuation and symbols (・ & . , ' -) become word breaks; ー is a letter (Lm) and stays.
    text = "".join(" " if unicodedata.category(char)[0] in "PSZC" else char for char in text)
    words = [word for word in text.split() if word not in _LATIN_FORMS]
    folded = "".join(words)
    if folded:
        return folded
    return "".join(
        char
        for char in unicodedata.normalize("NFKC", name or "").casefold()
        if unicodedata.category(char)[0] not in "PSZC"
    )


def email_domain(email):
    """The part after the last @, folded; empty when there is none."""
    _local, at, domain = (email or "").strip().rpartition("@")
    if not at:
        return ""
    return unicodedata.normalize("NFKC", domain).casefold().strip().rstrip(".")


def company_key(company_name, email):
    """One string shared by every request of the same company: "<name>|<mail domain>"."""
    return f"{normalise_company_name(company_name)}|{email_domain(email)}"


def group_by_company(rows):
    """{company key: [pk, ...]} from (pk, company_name, email) rows, in the rows' order."""
    groups = defaultdict(list)
    for pk, company_name, email in rows:
        groups[company_key(company_name, email)].append(pk)
    return dict(groups)
