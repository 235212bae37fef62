"""Every word the kiosk shows or speaks, in Simplified Chinese, Traditional Chinese (Hong Kong) and English.

Pure data, no Qt: the UI looks words up here and the prompt generator (scripts/make_prompts.py) reads the spoken
phrases from here, so the screen and the loudspeaker cannot drift apart. Written Hong Kong text is standard
written Chinese in Traditional script (請聯絡職員); spoken Cantonese prompts are colloquial (請搵職員).
Unknown keys never raise: `text()` falls back to English and then to the key itself, so a new reason code or
verdict can never crash a screen.
"""
from __future__ import annotations

from collections.abc import Mapping

from kiosk.core.outcome.gate_words import GATE_TEXT

LANGUAGES: tuple[str, ...] = ("zh-Hans", "zh-Hant-HK", "en")
LANGUAGE_NAMES: Mapping[str, str] = {"zh-Hans": "简体中文", "zh-Hant-HK": "繁體中文（香港）", "en": "English"}
LANGUAGE_SHORT: Mapping[str, str] = {"zh-Hans": "简体", "zh-Hant-HK": "繁體", "en": "English"}  # on buttons

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
    "idle.pictogram": {"zh-Hans": "读卡器和通行码图示", "zh-Hant-HK": "讀卡器和通行碼圖示",
                       "en": "Picture of the card reader and a pass code"},
    "idle.code_only": {"zh-Hans": "请出示您的通行码", "zh-Hant-HK": "請出示您的通行碼", "en": "Please show your pass code"},
    "fault.reader": {"zh-Hans": "读卡器暂时不能用", "zh-Hant-HK": "讀卡器暫時未能使用", "en": "The card reader is not working now"},
    "fault.code": {"zh-Hans": "扫码暂时不能用，请放身份证", "zh-Hant-HK": "掃碼暫時未能使用，請放身份證",
                   "en": "Codes cannot be read now. Please use your ID card"},
    "picture.card": {"zh-Hans": "身份证放在读卡器上的图示", "zh-Hant-HK": "身份證放在讀卡器上的圖示",
                     "en": "Picture of an ID card on the card reader"},
    "picture.code": {"zh-Hans": "通行码图示", "zh-Hant-HK": "通行碼圖示", "en": "Picture of a pass code"},
    "picture.card_gone": {"zh-Hans": "读卡器已划掉：暂时不能用", "zh-Hant-HK": "讀卡器已劃掉：暫時未能使用",
                          "en": "Card reader crossed out: not working now"},
    "picture.code_gone": {"zh-Hans": "通行码已划掉：暂时不能扫码", "zh-Hant-HK": "通行碼已劃掉：暫時未能掃碼",
                          "en": "Pass code crossed out: codes cannot be read now"},
    "picture.staff": {"zh-Hans": "工作人员图示", "zh-Hant-HK": "職員圖示", "en": "Picture of a member of staff"},
    "where.below": {"zh-Hans": "（在屏幕下方）", "zh-Hant-HK": "（在螢幕下方）", "en": "(below the screen)"},
    "where.above": {"zh-Hans": "（在屏幕上方）", "zh-Hant-HK": "（在螢幕上方）", "en": "(above the screen)"},
    "where.left": {"zh-Hans": "（在屏幕左边）", "zh-Hant-HK": "（在螢幕左邊）", "en": "(left of the screen)"},
    "where.right": {"zh-Hans": "（在屏幕右边）", "zh-Hant-HK": "（在螢幕右邊）", "en": "(right of the screen)"},
    "line.word_reason": {"zh-Hans": "{word}：{reason}", "zh-Hant-HK": "{word}：{reason}", "en": "{word}: {reason}"},
    "control.language": {"zh-Hans": "其他语言", "zh-Hant-HK": "其他語言", "en": "Languages"},
    "control.call_staff": {"zh-Hans": "呼叫工作人员", "zh-Hant-HK": "呼叫職員", "en": "Call staff"},
    "control.called": {"zh-Hans": "已呼叫工作人员", "zh-Hant-HK": "已呼叫職員", "en": "Staff called"},
    "help.called": {"zh-Hans": "已呼叫工作人员，请稍候", "zh-Hant-HK": "已呼叫職員，請稍候",
                    "en": "Staff have been called. Please wait"},
    "shape.tick-circle": {"zh-Hans": "圆圈中的勾", "zh-Hant-HK": "圓圈中的剔號", "en": "a tick in a circle"},
    "shape.octagon-bar": {"zh-Hans": "八角形禁止标志", "zh-Hant-HK": "八角形禁止標誌", "en": "an octagon with a bar"},
    "shape.triangle-exclamation": {"zh-Hans": "三角形感叹号", "zh-Hant-HK": "三角形感嘆號",
                                   "en": "a triangle with an exclamation mark"},
    "control.repeat": {"zh-Hans": "重播", "zh-Hant-HK": "重播", "en": "Repeat"},
    "control.staff": {"zh-Hans": "工作人员", "zh-Hant-HK": "職員", "en": "Staff"},
    # plain-word reasons (citizen screen); keyed by kiosk.core.outcome.verdicts.Reason values
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
    "reason.CARD_READ_FAILED": {"zh-Hans": "无法读取身份证", "zh-Hant-HK": "未能讀取身份證",
                                "en": "The card could not be read"},
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
    "reason.pairing": {"zh-Hans": "还需核对身份证", "zh-Hant-HK": "尚需核對身份證", "en": "Your ID card must be checked too"},
    # the signed status, in words (the reason line of a valid document)
    "status.green": {"zh-Hans": "健康码绿码，核验通过", "zh-Hant-HK": "綠碼，核對通過", "en": "Status green: checked and valid"},
    "status.yellow": {"zh-Hans": "健康码黄码", "zh-Hant-HK": "黃碼", "en": "Status yellow"},
    "status.red": {"zh-Hans": "健康码红码", "zh-Hant-HK": "紅碼", "en": "Status red"},
    "status_word.green": {"zh-Hans": "绿码", "zh-Hant-HK": "綠碼", "en": "green"},
    "status_word.yellow": {"zh-Hans": "黄码", "zh-Hant-HK": "黃碼", "en": "yellow"},
    "status_word.red": {"zh-Hans": "红码", "zh-Hant-HK": "紅碼", "en": "red"},
    # the document shown, in words (never a format code)
    "doc.health": {"zh-Hans": "健康通行证", "zh-Hant-HK": "健康通行證", "en": "Health pass"},
    "doc.vaccination": {"zh-Hans": "疫苗接种证明", "zh-Hant-HK": "疫苗接種證明", "en": "Vaccination certificate"},
    "doc.test": {"zh-Hans": "检测证明", "zh-Hant-HK": "檢測證明", "en": "Test certificate"},
    "doc.recovery": {"zh-Hans": "康复证明", "zh-Hant-HK": "康復證明", "en": "Recovery certificate"},
    "doc.international": {"zh-Hans": "国际健康证书", "zh-Hant-HK": "國際健康證書", "en": "International certificate"},
    "doc.shc": {"zh-Hans": "国际健康卡", "zh-Hant-HK": "國際健康卡", "en": "Health card"},
    "doc.resident": {"zh-Hans": "居民身份证", "zh-Hant-HK": "居民身份證", "en": "ID card"},
    "doc.hmt_permit": {"zh-Hans": "港澳台居民居住证", "zh-Hant-HK": "港澳台居民居住證", "en": "Residence permit"},
    "doc.foreign": {"zh-Hans": "外国人永久居留身份证", "zh-Hant-HK": "外國人永久居留身份證",
                    "en": "Permanent residence ID card"},
    "reason.other.PASS": {"zh-Hans": "核验通过", "zh-Hant-HK": "核對通過", "en": "Checked and valid"},
    "reason.other.STOP": {"zh-Hans": "通行证无效", "zh-Hant-HK": "通行證無效", "en": "This pass is not valid"},
    "reason.other.SEE_STAFF": {"zh-Hans": "需要人工核验", "zh-Hant-HK": "需要人手核對", "en": "A person needs to check this"},
}

# Staff and admin screens (shown in the primary language chosen by staff).
_TEXT.update({
    "pin.staff": {"zh-Hans": "工作人员密码", "zh-Hant-HK": "職員密碼", "en": "Staff PIN"},
    "pin.admin": {"zh-Hans": "管理员密码", "zh-Hant-HK": "管理員密碼", "en": "Admin PIN"},
    "pin.wrong": {"zh-Hans": "密码错误", "zh-Hant-HK": "密碼錯誤", "en": "Wrong PIN"},
    "pin.locked": {"zh-Hans": "错误次数过多，请在 {time} 后再试", "zh-Hant-HK": "錯誤次數過多，請在 {time} 後再試",
                   "en": "Too many wrong PINs: try again in {time}"},
    "button.ok": {"zh-Hans": "确定", "zh-Hant-HK": "確定", "en": "OK"},
    "button.cancel": {"zh-Hans": "取消", "zh-Hant-HK": "取消", "en": "Cancel"},
    "button.close": {"zh-Hans": "退出", "zh-Hant-HK": "退出", "en": "Close"},
    "button.delete": {"zh-Hans": "删除", "zh-Hant-HK": "刪除", "en": "Delete"},
    "button.clear": {"zh-Hans": "清空", "zh-Hant-HK": "清除", "en": "Clear"},
    "button.lookup": {"zh-Hans": "查询", "zh-Hant-HK": "查詢", "en": "Look up"},
    "button.pause": {"zh-Hans": "暂停通道", "zh-Hant-HK": "暫停通道", "en": "Pause gate"},
    "button.resume": {"zh-Hans": "恢复通道", "zh-Hant-HK": "恢復通道", "en": "Resume gate"},
    "button.admin": {"zh-Hans": "管理", "zh-Hant-HK": "管理", "en": "Admin"},
    "button.more_time": {"zh-Hans": "延长时间", "zh-Hant-HK": "延長時間", "en": "More time"},
    "button.sync": {"zh-Hans": "立即同步", "zh-Hant-HK": "立即同步", "en": "Sync now"},
    "button.export": {"zh-Hans": "导出记录", "zh-Hant-HK": "匯出記錄", "en": "Export log"},
    "button.import_trust": {"zh-Hans": "导入信任数据", "zh-Hant-HK": "匯入信任資料", "en": "Import trust"},
    "button.refresh": {"zh-Hans": "刷新", "zh-Hant-HK": "重新整理", "en": "Refresh"},
    "button.voice_on": {"zh-Hans": "语音：开", "zh-Hant-HK": "語音：開", "en": "Voice: on"},
    "button.voice_off": {"zh-Hans": "语音：关", "zh-Hant-HK": "語音：關", "en": "Voice: off"},
    "button.louder": {"zh-Hans": "大声", "zh-Hant-HK": "大聲", "en": "Louder"},
    "button.quieter": {"zh-Hans": "小声", "zh-Hant-HK": "細聲", "en": "Quieter"},
    "button.exit": {"zh-Hans": "停止闸机，退出到桌面", "zh-Hant-HK": "停止閘機，退出到桌面",
                    "en": "Stop gate, exit to desktop"},
    "staff.title": {"zh-Hans": "工作人员模式", "zh-Hant-HK": "職員模式", "en": "Staff mode"},
    "admin.title": {"zh-Hans": "管理面板", "zh-Hant-HK": "管理面板", "en": "Admin panel"},
    "staff.id_number": {"zh-Hans": "身份证号码", "zh-Hant-HK": "身份證號碼", "en": "ID number"},
    "staff.counts": {"zh-Hans": "今日：通过 {PASS}  停止 {STOP}  找工作人员 {SEE_STAFF}",
                     "zh-Hant-HK": "今日：通過 {PASS}  停止 {STOP}  聯絡職員 {SEE_STAFF}",
                     "en": "Today: pass {PASS}  stop {STOP}  see staff {SEE_STAFF}"},
    "staff.devices": {"zh-Hans": "设备", "zh-Hant-HK": "裝置", "en": "Devices"},
    "staff.timeout": {"zh-Hans": "{seconds} 秒后返回待机画面", "zh-Hant-HK": "{seconds} 秒後返回待機畫面",
                      "en": "Returning to the citizen screen in {seconds} s"},
    "staff.unavailable": {"zh-Hans": "此功能不可用", "zh-Hant-HK": "此功能不可用", "en": "Not available on this kiosk"},
    "staff.error": {"zh-Hans": "出错：{message}", "zh-Hant-HK": "出錯：{message}", "en": "Error: {message}"},
    "staff.help": {"zh-Hans": "有人在闸机呼叫工作人员", "zh-Hant-HK": "有人在閘機呼叫職員",
                   "en": "Someone at this gate is calling for staff"},
    "staff.status": {"zh-Hans": "健康状态", "zh-Hant-HK": "健康狀態", "en": "Status"},
    "staff.code": {"zh-Hans": "代码", "zh-Hant-HK": "代碼", "en": "Code"},
    "staff.lookup_result": {"zh-Hans": "查询结果", "zh-Hant-HK": "查詢結果", "en": "Lookup result"},
    "button.help_done": {"zh-Hans": "已处理", "zh-Hant-HK": "已處理", "en": "Answered"},
    "button.exit_confirm": {"zh-Hans": "确认停止闸机并退出？再按一次", "zh-Hant-HK": "確認停止閘機並退出？再按一次",
                            "en": "Stop the gate and exit? Press again"},
    "data.trust_bundle": {"zh-Hans": "信任数据包", "zh-Hant-HK": "信任資料包", "en": "Trust bundle"},
    "data.status_list": {"zh-Hans": "状态名单", "zh-Hant-HK": "狀態名單", "en": "Status list"},
    "device.log": {"zh-Hans": "记录", "zh-Hant-HK": "記錄", "en": "Event log"},
    "staff.birth_date": {"zh-Hans": "出生日期", "zh-Hant-HK": "出生日期", "en": "Birth date"},
    "entry.more": {"zh-Hans": "还需输入 {count} 位", "zh-Hant-HK": "尚需輸入 {count} 位", "en": "{count} more characters"},
    "entry.valid": {"zh-Hans": "号码有效", "zh-Hant-HK": "號碼有效", "en": "Number is valid"},
    "entry.bad_check": {"zh-Hans": "校验位不符，号码输错了", "zh-Hant-HK": "校驗位不符，號碼輸入錯誤",
                        "en": "Check character does not match: mistyped"},
    "entry.bad_char": {"zh-Hans": "X 只能是最后一位", "zh-Hant-HK": "X 只可以是最後一位", "en": "X can only be the last character"},
    "entry.too_long": {"zh-Hans": "号码最多 18 位", "zh-Hant-HK": "號碼最多 18 位", "en": "An ID number has 18 characters"},
    "admin.devices": {"zh-Hans": "设备状态", "zh-Hant-HK": "裝置狀態", "en": "Device health"},
    "admin.data": {"zh-Hans": "信任数据", "zh-Hant-HK": "信任資料", "en": "Trust data"},
    "admin.log": {"zh-Hans": "记录与同步", "zh-Hant-HK": "記錄與同步", "en": "Log and sync"},
    "admin.settings": {"zh-Hans": "设置", "zh-Hant-HK": "設定", "en": "Settings"},
    "admin.ok": {"zh-Hans": "正常", "zh-Hant-HK": "正常", "en": "OK"},
    "admin.fault": {"zh-Hans": "故障", "zh-Hant-HK": "故障", "en": "FAULT"},
    "admin.fresh": {"zh-Hans": "有效", "zh-Hant-HK": "有效", "en": "fresh"},
    "admin.stale": {"zh-Hans": "过期", "zh-Hant-HK": "過期", "en": "STALE"},
    "admin.age": {"zh-Hans": "已过 {age}", "zh-Hant-HK": "已過 {age}", "en": "{age} old"},
    "admin.log_line": {"zh-Hans": "记录 {entries} 条（{size}），待同步 {pending} 条",
                       "zh-Hant-HK": "記錄 {entries} 條（{size}），待同步 {pending} 條",
                       "en": "{entries} entries ({size}), {pending} waiting to sync"},
    "admin.last_sync": {"zh-Hans": "上次同步：{when} {result}", "zh-Hant-HK": "上次同步：{when} {result}",
                        "en": "Last sync: {when} {result}"},
    "admin.never": {"zh-Hans": "从未", "zh-Hant-HK": "從未", "en": "never"},
    "admin.export_to": {"zh-Hans": "导出到文件夹", "zh-Hant-HK": "匯出到資料夾", "en": "Export to folder"},
    "admin.usb_folder": {"zh-Hans": "U盘文件夹", "zh-Hant-HK": "USB 資料夾", "en": "USB folder"},
    "admin.volume": {"zh-Hans": "音量 {percent}%", "zh-Hant-HK": "音量 {percent}%", "en": "Volume {percent}%"},
    "admin.pitch": {"zh-Hans": "像素间距（毫米）", "zh-Hant-HK": "像素間距（毫米）", "en": "Pixel pitch (mm)"},
    "admin.kiosk_id": {"zh-Hans": "终端编号 {kiosk_id}", "zh-Hant-HK": "終端編號 {kiosk_id}", "en": "Kiosk {kiosk_id}"},
    "admin.audio_none": {"zh-Hans": "无音频设备，语音已静音", "zh-Hant-HK": "沒有音訊裝置，語音已靜音",
                         "en": "No audio device: voice is silent"},
    "admin.clock": {"zh-Hans": "时钟", "zh-Hant-HK": "時鐘", "en": "Clock"},
    "device.reader": {"zh-Hans": "读卡器", "zh-Hant-HK": "讀卡器", "en": "Card reader"},
    "device.scanner": {"zh-Hans": "扫码器", "zh-Hant-HK": "掃碼器", "en": "Code scanner"},
    "device.camera": {"zh-Hans": "摄像头", "zh-Hant-HK": "攝影機", "en": "Camera"},
    "device.trust": {"zh-Hans": "信任数据", "zh-Hant-HK": "信任資料", "en": "Trust data"},
    "device.clock": {"zh-Hans": "时钟", "zh-Hant-HK": "時鐘", "en": "Clock"},
    "device.audio": {"zh-Hans": "音频", "zh-Hant-HK": "音訊", "en": "Audio"},
})
_TEXT.update(GATE_TEXT)  # staff gate controls and the gate's reason (kiosk/core/outcome/gate_words.py)

# What the loudspeaker says, by prompt key then language. Never a name, ID number or birth date. A verdict is
# said as its word first (short: heard within 1.5 s of the verdict, after a tone), then its hint.
_SPOKEN: dict[str, dict[str, str]] = {
    "idle": {"zh-Hans": "请放身份证，或出示通行码。", "zh-Hant-HK": "請放身份證，或者俾我睇通行碼。",
             "en": "Please lay your ID card here, or show your pass code."},
    "reading": {"zh-Hans": "正在核验，请稍候。", "zh-Hant-HK": "核對緊，請等等。", "en": "Checking, please wait."},
    "pass": {"zh-Hans": "通过。", "zh-Hant-HK": "通過。", "en": "Pass."},
    "pass_hint": {"zh-Hans": "请通行。", "zh-Hant-HK": "請行。", "en": "Please go ahead."},
    "stop": {"zh-Hans": "停止。", "zh-Hant-HK": "停。", "en": "Stop."},
    "stop_hint": {"zh-Hans": "请不要通行。", "zh-Hant-HK": "唔好行住。", "en": "Please do not go through."},
    "see_staff": {"zh-Hans": "找工作人员。", "zh-Hant-HK": "請搵職員。", "en": "See staff."},
    "see_staff_hint": {"zh-Hans": "请稍候。", "zh-Hant-HK": "請等等。", "en": "Please wait for a member of staff."},
    "lift": {"zh-Hans": "请取回身份证。", "zh-Hant-HK": "請攞返身份證。", "en": "Please take your card."},
    "help_called": {"zh-Hans": "已呼叫工作人员，请稍候。", "zh-Hant-HK": "已經叫咗職員，請等等。",
                    "en": "Staff have been called. Please wait."},
    "unavailable": {"zh-Hans": "暂时无法核验，请找工作人员。", "zh-Hant-HK": "暫時核對唔到，請搵職員。",
                    "en": "Checks are not possible now. Please see staff."},
    "paused": {"zh-Hans": "本通道暂停使用，请找工作人员。", "zh-Hant-HK": "呢條通道暫停使用，請搵職員。",
               "en": "This gate is paused. Please see staff."},
}

PROMPT_KEYS: tuple[str, ...] = tuple(_SPOKEN)
OUTCOME_PROMPTS: Mapping[str, str] = {"PASS": "pass", "STOP": "stop", "SEE_STAFF": "see_staff"}
# A prompt said as several parts, in order, in each language (the verdict word first, then its hint).
PROMPT_PARTS: Mapping[str, tuple[str, ...]] = {"pass": ("pass", "pass_hint"), "stop": ("stop", "stop_hint"),
                                               "see_staff": ("see_staff", "see_staff_hint")}
TONED_PROMPTS = frozenset(OUTCOME_PROMPTS.values())  # a short tone goes first: heard before any word


def text(key: str, language: str, **fields: object) -> str:
    """The screen text for `key` in `language` (English, then the key itself, when missing), formatted."""
    entry = _TEXT.get(key)
    if entry is None:
        return key
    template = entry.get(language) or entry.get("en") or key
    if not fields:
        return template
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        return template


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
