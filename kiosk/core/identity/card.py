"""An identity card as read by a reader: the fields the kiosk uses. The photo is never part of it."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from kiosk.core.identity.idnumber import mask_id, mask_name
from kiosk.core.outcome.result import HolderView


class CardType(enum.StrEnum):
    RESIDENT = "resident"            # 居民身份证 (type flag: space)
    HMT_PERMIT = "hmt_permit"        # 港澳台居民居住证 (J)
    FOREIGN_2017 = "foreign_2017"    # 外国人永久居留身份证 2017 (I)
    FOREIGN_2023 = "foreign_2023"    # 外国人永久居留身份证 2023 (Y)


@dataclass(frozen=True)
class CardIdentity:
    card_type: CardType
    name: str
    id_number: str
    sex: str = ""
    birth_date: str = ""     # YYYYMMDD
    valid_from: str = ""     # YYYYMMDD
    valid_to: str = ""       # YYYYMMDD, or 长期 (permanent)
    authority: str = ""
    nationality: str = ""
    english_name: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    def holder_view(self) -> HolderView:
        return HolderView(masked_name=mask_name(self.name or self.english_name), masked_id=mask_id(self.id_number))

    def expired_on(self, today: date) -> bool:
        """True when the card's validity ended before `today` (a permanent card never expires)."""
        if len(self.valid_to) != 8 or not self.valid_to.isdigit():
            return False
        try:
            end = date(int(self.valid_to[:4]), int(self.valid_to[4:6]), int(self.valid_to[6:]))
        except ValueError:
            return False
        return today > end
