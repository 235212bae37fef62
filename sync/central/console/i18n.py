"""The console's words in Simplified Chinese and English, and how a request's language is chosen.

Why: station and hospital administrators read Chinese first; vendors and auditors often English. The language is
the `kc_lang` cookie (set by the switcher in the header), else the browser's Accept-Language, else Chinese.
Every template string goes through `t(key)`; a key missing from a language is a test failure, not a blank.
"""
from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT = "zh"

# key: (中文, English)
WORDS: dict[str, tuple[str, str]] = {
    "app": ("闸机核验管理台", "Kiosk console"),
    "skip": ("跳到正文", "Skip to content"),
    "nav": ("主导航", "Main navigation"),
    "fleet": ("设备总览", "Fleet"),
    "checks": ("核验统计", "Checks"),
    "publish": ("发布", "Publishing"),
    "tokens": ("注册令牌", "Enrolment tokens"),
    "audit": ("审计日志", "Audit log"),
    "users": ("账户", "Accounts"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "logout": ("退出登录", "Sign out"),
    "language": ("语言", "Language"),
    "login_title": ("登录", "Sign in"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "login": ("登录", "Sign in"),
    "login_bad": ("用户名或密码错误。", "Wrong user name or password."),
    "login_locked": ("密码错误次数过多，账户已锁定至 {until}。", "Too many wrong passwords: the account is locked until {until}."),
    "login_disabled": ("该账户已停用。", "This account is disabled."),
    "forbidden": ("无权访问", "Not allowed"),
    "forbidden_text": ("此操作需要“{role}”角色，您的角色是“{mine}”。", "This needs the {role} role; yours is {mine}."),
    "role_viewer": ("查看员", "viewer"),
    "role_operator": ("操作员", "operator"),
    "role_admin": ("管理员", "admin"),
    "origin_refused": ("请求来源不符，已拒绝。请从管理台页面重新操作。",
                       "Refused: the request did not come from this console. Please try again from its page."),
    "not_found": ("未找到", "Not found"),
    "back": ("返回", "Back"),
    # fleet
    "kiosks": ("台设备", "kiosks"),
    "filter": ("筛选", "Filter"),
    "site": ("站点", "Site"),
    "all": ("全部", "All"),
    "alert": ("告警", "Alert"),
    "alerts": ("告警", "Alerts"),
    "any_alert": ("有任何告警", "Any alert"),
    "device": ("设备", "Kiosk"),
    "last_seen": ("最近联系", "Last seen"),
    "never": ("从未", "never"),
    "trust_version": ("信任包版本", "Trust bundle"),
    "status_version": ("状态名单版本", "Status list"),
    "clock_offset": ("时钟偏差", "Clock offset"),
    "devices_col": ("外设", "Devices"),
    "paused": ("已暂停", "Paused"),
    "backlog": ("待上传", "Backlog"),
    "events": ("记录数", "Events"),
    "missing": ("缺失序号", "Missing"),
    "chain_flags": ("链路异常", "Chain flags"),
    "state": ("状态", "State"),
    "ok": ("正常", "OK"),
    "disabled": ("已停用", "disabled"),
    "no_kiosks": ("没有符合条件的设备。", "No kiosk matches."),
    "heartbeat_note": ("心跳数据（版本、时钟、外设、待上传）由设备心跳提供；尚未收到心跳的设备只显示同步信息。",
                       "Versions, clock, devices and backlog come from the kiosks' heartbeats; a kiosk without one "
                       "shows its sync data only."),
    "age": ("时长", "age"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # alerts
    "alert_silent": ("失联", "silent"),
    "alert_chain": ("记录链异常", "chain break"),
    "alert_gaps": ("记录缺失", "missing events"),
    "alert_paused": ("已暂停", "paused"),
    "alert_device_fault": ("外设故障（无法读卡/扫码）", "blind (device fault)"),
    "alert_clock": ("时钟偏差", "clock"),
    "alert_stale_trust": ("信任数据过期", "stale trust data"),
    "alert_demo_trust": ("演示信任数据", "demo trust"),
    "alert_disk": ("磁盘空间", "disk"),
    "alert_disabled": ("已停用", "disabled"),
    # device
    "enrolled_at": ("注册时间", "Enrolled"),
    "heartbeats": ("心跳记录", "Heartbeat history"),
    "no_heartbeats": ("尚无心跳记录。", "No heartbeat yet."),
    "checks_per_hour": ("每小时核验数（近 48 小时）", "Checks per hour (last 48 hours)"),
    "disable": ("停用此设备", "Disable this kiosk"),
    "disable_help": ("停用后该设备的上传和下载都会被拒绝，直到重新注册。",
                     "A disabled kiosk's uploads and downloads are refused until it is enrolled again."),
    "reenrol": ("生成重新注册令牌", "Create a re-enrolment token"),
    "device_disabled": ("设备 {device} 已停用。", "Kiosk {device} is disabled."),
    "fleet_unavailable": ("此服务尚未提供设备停用功能。", "This service does not offer disabling kiosks yet."),
    "reason": ("原因", "Reason"),
    "time": ("时间", "Time"),
    "kind": ("类型", "Kind"),
    "seq": ("序号", "Seq"),
    "detail": ("详情", "Detail"),
    "none": ("无", "none"),
    # checks
    "since": ("开始日期", "From"),
    "until": ("结束日期", "To"),
    "outcome": ("结果", "Outcome"),
    "verdict": ("核验状态", "Status"),
    "split_by": ("分组", "Split by"),
    "per_hour": ("按小时", "Per hour"),
    "per_day": ("按天", "Per day"),
    "granularity": ("时间粒度", "Interval"),
    "show": ("显示", "Show"),
    "csv": ("导出 CSV（相同筛选）", "Export CSV (same filter)"),
    "total": ("合计", "Total"),
    "no_checks": ("此筛选下没有核验记录。", "No checks in this filter."),
    "by_site": ("按站点", "By site"),
    "chart_title": ("核验数：{since} 至 {until}", "Checks from {since} to {until}"),
    "hourly_capped": ("按小时显示最多 {days} 天；已显示最后 {days} 天。",
                      "Hourly charts show at most {days} days; showing the last {days}."),
    "outcome_PASS": ("通过", "PASS"),
    "outcome_STOP": ("禁止通行", "STOP"),
    "outcome_SEE_STAFF": ("请找工作人员", "SEE STAFF"),
    "count": ("数量", "Count"),
    # publishing
    "upload": ("上传文件", "Upload a file"),
    "file": ("文件（信任包、状态名单快照或增量、设置）", "File (trust bundle, status-list snapshot or delta, settings)"),
    "target": ("发布范围", "Publish to"),
    "global": ("全部站点", "every site"),
    "site_only": ("仅此站点", "this site only"),
    "preview": ("预览", "Preview"),
    "preview_title": ("发布前预览", "Preview before publishing"),
    "confirm_publish": ("确认发布", "Publish"),
    "cancel": ("取消", "Cancel"),
    "published": ("已发布 {name}。", "Published {name}."),
    "refused": ("发布被拒绝：{reason}", "Publishing refused: {reason}"),
    "would_refuse": ("此文件无法发布：{reason}", "This file would be refused: {reason}"),
    "would_accept": ("核对通过：确认后即发布给设备。", "Checks passed: it reaches kiosks once you publish it."),
    "published_files": ("已发布的文件", "Published files"),
    "name": ("名称", "Name"),
    "updated": ("更新时间", "Updated"),
    "size": ("大小", "Size"),
    "version": ("版本", "Version"),
    "signer": ("签名者", "Signer"),
    "signature": ("签名", "Signature"),
    "sig_unchecked": ("未在此核对", "not checked here"),
    "sig_valid": ("有效", "valid"),
    "sig_invalid": ("无效", "INVALID"),
    "sig_unknown-signer": ("签名者不在已发布的信任包中", "signer not in the published trust bundle"),
    "signote_root": ("根密钥签名由各设备核对。", "Kiosks check the root signature."),
    "signote_no-bundle": ("尚未发布信任包，无法核对。", "No trust bundle published to check it against."),
    "signote_bundle": ("已用已发布的信任包核对。", "Checked against the published trust bundle."),
    "signote_digest": ("记录与签名头中的摘要不符。", "The records do not match the digest the header signs."),
    "signote_settings": ("设置文件无签名。", "Settings files are not signed."),
    "issued_at": ("签发时间", "Issued"),
    "expires_at": ("失效时间", "Expires"),
    "issuers": ("签发者", "Issuers"),
    "issuer": ("签发者", "Issuer"),
    "uses": ("用途", "Uses"),
    "not_after": ("有效至", "Valid until"),
    "entries": ("条目数", "Entries"),
    "ent_keys": ("签发密钥", "issuer keys"),
    "ent_revoked_kids": ("吊销的密钥", "revoked keys"),
    "ent_revoked_passes": ("吊销的凭证", "revoked passes"),
    "ent_revoked_rids": ("吊销的 SMART 凭证", "revoked SMART cards"),
    "ent_records": ("记录总数", "records"),
    "ent_green": ("绿码", "green"),
    "ent_yellow": ("黄码", "yellow"),
    "ent_red": ("红码", "red"),
    "ent_removed": ("删除", "removed"),
    "fact_refresh_due": ("应更新时间", "Refresh due"),
    "fact_policy_keys": ("策略设置", "Policy settings"),
    "fact_region": ("地区", "Region"),
    "fact_base_version": ("基础版本", "Base version"),
    "fact_result_count": ("合并后记录数", "Records after merge"),
    "fact_keys": ("设置项", "Settings"),
    "preview_error": ("无法预览此文件：{error}", "This file cannot be previewed: {error}"),
    "draft_gone": ("预览已过期，请重新上传。", "The preview has expired; please upload again."),
    "sha256": ("SHA-256", "SHA-256"),
    "bytes": ("字节", "bytes"),
    # tokens
    "new_token": ("生成注册令牌", "Create an enrolment token"),
    "valid_hours": ("有效小时数", "Valid for (hours)"),
    "create": ("生成", "Create"),
    "token_created": ("新令牌（只显示这一次）：", "New token (shown this once only):"),
    "token_help": ("在设备上运行：kiosk enroll 服务地址 令牌", "On the kiosk run: kiosk enroll SERVICE-URL TOKEN"),
    "recent_tokens": ("近期令牌", "Recent tokens"),
    "created": ("创建时间", "Created"),
    "expires": ("到期", "Expires"),
    "used_by": ("使用设备", "Used by"),
    "unused": ("未使用", "unused"),
    # audit & users
    "who": ("操作人", "Who"),
    "what": ("操作", "What"),
    "on_what": ("对象", "On"),
    "when": ("时间", "When"),
    "from_where": ("来源地址", "From"),
    "role": ("角色", "Role"),
    "last_login": ("最近登录", "Last login"),
    "locked_until": ("锁定至", "Locked until"),
    "users_help": ("在服务器上添加账户：kiosk-central user add 名称 --role admin|operator|viewer（从标准输入读取密码）。",
                   "Add accounts on the server: kiosk-central user add NAME --role admin|operator|viewer "
                   "(the password is read from standard input)."),
    "disable_user": ("停用", "Disable"),
    "older": ("更早", "Older"),
    "active": ("启用", "active"),
}


def choose(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGS:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return DEFAULT


def translator(lang: str):
    index = LANGS.index(lang)

    def t(key: str, **values: object) -> str:
        if key not in WORDS:  # a code from elsewhere (fleet alert, core reason) without words here
            return key.removeprefix("alert_").replace("_", " ") if key.startswith("alert_") else key.split("_", 1)[-1]
        text = WORDS[key][index]
        return text.format(**values) if values else text

    return t
