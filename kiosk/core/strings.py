"""Every word the kiosk shows or speaks, in Simplified Chinese, Traditional Chinese (Hong Kong) and English.

Pure data, no Qt: the UI looks words up here and the prompt generator (scripts/make_prompts.py) reads the spoken
phrases from here, so the screen and the loudspeaker cannot drift apart. Written Hong Kong text is standard
written Chinese in Traditional script (請聯絡職員); spoken Cantonese prompts are colloquial (請搵職員).
Unknown keys never raise: `text()` falls back to English and then to the key itself, so a new reason code or
verdict can never crash a screen.
"""
from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("zh-Hans", "zh-Hant-HK", "en")
LANGUAGE_NAMES: Mapping[str, str] = {"zh-Hans": "简体中文", "zh-Hant-HK": "繁體中文（香港）", "en": "English"}

# Screen text, by key then language.
_TEXT: dict[str, dict[str, str]] = {
    "idle.card": {"zh-Hans": "请把身份证放在这里", "zh-Hant-HK": "請把身份證放在這裏", "en": "Lay your ID card here"},
    "idle.code": {"zh-Hans": "或出示您的通行码", "zh-Hant-HK": "或出示您的通行碼", "en": "or show your pass code"},
    "reading.card": {"zh-Hans": "正在读卡，请不要移开", "zh-Hant-HK": "正在讀卡，請不要移開",
                     "en": "Reading your card, please wait"},
    "reading.code": {"zh-Hans": "正在核验，请稍候", "zh-Hant-HK": "正在核對，請稍候", "en": "Checking your code, please wait"},
    "verdict.PASS": {"zh-Hans": "通过", "zh-Hant-HK": "通過", "en": "PASS"},
    "verdict.STOP": {"zh-Hans": "停止", "zh-Hant-HK": "停止", "en": "STOP"},
    "verdict.SEE_STAFF": {"zh-Hans": "请找工作人员", "zh-Hant-HK": "請聯絡職員", "en": "SEE STAFF"},
    "hint.PASS": {"zh-Hans": "请通行", "zh-Hant-HK": "請通過", "en": "Please go ahead"},
    "hint.STOP": {"zh-Hans": "请不要通行", "zh-Hant-HK": "請不要通過", "en": "Please do not go through"},
    "hint.SEE_STAFF": {"zh-Hans": "请联系工作人员", "zh-Hant-HK": "請聯絡職員", "en": "Please see a member of staff"},
    "hint.lift": {"zh-Hans": "请取回身份证", "zh-Hant-HK": "請取回身份證", "en": "Please take your card"},
    "unavailable": {"zh-Hans": "暂时无法核验，请找工作人员", "zh-Hant-HK": "暫時未能核對，請聯絡職員",
                    "en": "Checks are not possible now. Please see staff"},
    "paused": {"zh-Hans": "本通道暂停使用，请找工作人员", "zh-Hant-HK": "本通道暫停使用，請聯絡職員",
               "en": "This gate is paused. Please see staff"},
    "label.identity": {"zh-Hans": "身份", "zh-Hant-HK": "身份", "en": "Identity"},
    "label.pass_type": {"zh-Hans": "类型", "zh-Hant-HK": "類型", "en": "Type"},
    "control.repeat": {"zh-Hans": "重播", "zh-Hant-HK": "重播", "en": "Repeat"},
    "control.staff": {"zh-Hans": "工作人员", "zh-Hant-HK": "職員", "en": "Staff"},
    # plain-word reasons (citizen screen); keyed by kiosk.core.verdicts.Reason values
    "reason.OK": {"zh-Hans": "核验通过", "zh-Hant-HK": "核對通過", "en": "Checked and valid"},
    "reason.PASS_EXPIRED": {"zh-Hans": "通行证已过期", "zh-Hant-HK": "通行證已過期", "en": "This pass has expired"},
    "reason.CARD_EXPIRED": {"zh-Hans": "身份证已过期", "zh-Hant-HK": "身份證已過期", "en": "This ID card has expired"},
    "reason.PASS_NOT_YET_VALID": {"zh-Hans": "通行证尚未生效", "zh-Hant-HK": "通行證尚未生效",
                                  "en": "This pass is not valid yet"},
    "reason.PASS_REVOKED": {"zh-Hans": "通行证已被撤销", "zh-Hant-HK": "通行證已被撤銷", "en": "This pass was withdrawn"},
    "reason.KEY_REVOKED": {"zh-Hans": "签发机构的密钥已被撤销", "zh-Hant-HK": "簽發機構的密鑰已被撤銷",
                           "en": "The issuer's key was withdrawn"},
    "reason.SIGNATURE_INVALID": {"zh-Hans": "通行证无效（签名不符）", "zh-Hant-HK": "通行證無效（簽名不符）",
                                 "en": "This pass is not genuine"},
    "reason.KEY_UNKNOWN": {"zh-Hans": "签发机构不受信任", "zh-Hant-HK": "簽發機構不受信任",
                           "en": "The issuer is not trusted here"},
    "reason.ID_NOT_IN_STATUS_LIST": {"zh-Hans": "未查到记录", "zh-Hant-HK": "未能找到記錄", "en": "No record was found"},
    "reason.ID_NUMBER_INVALID": {"zh-Hans": "身份证号码无效", "zh-Hant-HK": "身份證號碼無效",
                                 "en": "The ID number is not valid"},
    "reason.CARD_READ_FAILED": {"zh-Hans": "读卡失败，请重新放卡", "zh-Hant-HK": "讀卡失敗，請重新放卡",
                                "en": "The card could not be read. Please lay it again"},
    "reason.HOLDER_MISMATCH": {"zh-Hans": "证件与通行证不符", "zh-Hant-HK": "證件與通行證不符",
                               "en": "The card and the pass do not match"},
    "reason.UNKNOWN_PREFIX": {"zh-Hans": "无法识别此码", "zh-Hant-HK": "無法識別此碼", "en": "This code is not recognised"},
    "reason.TRUST_BUNDLE_EXPIRED": {"zh-Hans": "系统数据过期", "zh-Hant-HK": "系統資料過期",
                                    "en": "The kiosk's data is out of date"},
    "reason.TRUST_BUNDLE_MISSING": {"zh-Hans": "系统数据缺失", "zh-Hant-HK": "系統資料缺失",
                                    "en": "The kiosk's data is missing"},
    "reason.CLOCK_BEHIND_TRUSTED_TIME": {"zh-Hans": "系统时间异常", "zh-Hant-HK": "系統時間異常",
                                         "en": "The kiosk's clock is wrong"},
    "reason.STATUS_ENTRY_EXPIRED": {"zh-Hans": "健康状态已过期", "zh-Hant-HK": "健康狀態已過期",
                                    "en": "The status record has expired"},
    "reason.other.PASS": {"zh-Hans": "核验通过", "zh-Hant-HK": "核對通過", "en": "Checked and valid"},
    "reason.other.STOP": {"zh-Hans": "通行证无效", "zh-Hant-HK": "通行證無效", "en": "This pass is not valid"},
    "reason.other.SEE_STAFF": {"zh-Hans": "需要人工核验", "zh-Hant-HK": "需要人手核對", "en": "A person needs to check this"},
}

# What the loudspeaker says, by prompt key then language. Never a name, ID number or birth date.
_SPOKEN: dict[str, dict[str, str]] = {
    "idle": {"zh-Hans": "请放身份证，或出示通行码。", "zh-Hant-HK": "請放身份證，或者俾我睇通行碼。",
             "en": "Please lay your ID card here, or show your pass code."},
    "reading": {"zh-Hans": "正在核验，请稍候。", "zh-Hant-HK": "核對緊，請等等。", "en": "Checking, please wait."},
    "pass": {"zh-Hans": "通过，请通行。", "zh-Hant-HK": "通過，請行。", "en": "Pass. Please go ahead."},
    "stop": {"zh-Hans": "停止，请不要通行。", "zh-Hant-HK": "停，唔好行住。", "en": "Stop. Please do not go through."},
    "see_staff": {"zh-Hans": "请找工作人员。", "zh-Hant-HK": "請搵職員。", "en": "Please see a member of staff."},
    "unavailable": {"zh-Hans": "暂时无法核验，请找工作人员。", "zh-Hant-HK": "暫時核對唔到，請搵職員。",
                    "en": "Checks are not possible now. Please see staff."},
    "paused": {"zh-Hans": "本通道暂停使用，请找工作人员。", "zh-Hant-HK": "呢條通道暫停使用，請搵職員。",
               "en": "This gate is paused. Please see staff."},
}

# Mandarin is synthesised from pinyin with tone digits (espeak-ng's cmn-latn-pinyin voice reads them right).
PINYIN: Mapping[str, str] = {
    "idle": "qing3 fang4 shen1 fen4 zheng4, huo4 chu1 shi4 tong1 xing2 ma3.",
    "reading": "zheng4 zai4 he2 yan4, qing3 shao1 hou4.",
    "pass": "tong1 guo4, qing3 tong1 xing2.",
    "stop": "ting2 zhi3, qing3 bu2 yao4 tong1 xing2.",
    "see_staff": "qing3 zhao3 gong1 zuo4 ren2 yuan2.",
    "unavailable": "zan4 shi2 wu2 fa3 he2 yan4, qing3 zhao3 gong1 zuo4 ren2 yuan2.",
    "paused": "ben3 tong1 dao4 zan4 ting2 shi3 yong4, qing3 zhao3 gong1 zuo4 ren2 yuan2.",
}

PROMPT_KEYS: tuple[str, ...] = tuple(_SPOKEN)
OUTCOME_PROMPTS: Mapping[str, str] = {"PASS": "pass", "STOP": "stop", "SEE_STAFF": "see_staff"}


def text(key: str, language: str) -> str:
    """The screen text for `key` in `language`; English, then the key itself, when missing."""
    entry = _TEXT.get(key)
    if entry is None:
        return key
    return entry.get(language) or entry.get("en") or key


def has_text(key: str) -> bool:
    return key in _TEXT


def spoken(key: str, language: str) -> str:
    """The phrase the loudspeaker says for prompt `key` in `language` (what a human reviewer reads)."""
    return _SPOKEN[key][language]


def reason_text(reason: str, outcome: str, language: str) -> str:
    """A plain-words reason; an unknown reason code gets the outcome's generic sentence."""
    key = f"reason.{reason}"
    if key in _TEXT:
        return text(key, language)
    return text(f"reason.other.{outcome}", language)


def all_text_keys() -> tuple[str, ...]:
    return tuple(_TEXT)
