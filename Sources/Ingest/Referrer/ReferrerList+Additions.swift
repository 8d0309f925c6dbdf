extension ReferrerList {
    /// Referrers the generated lists lack, written for this project from the providers' own
    /// domains (each a public fact): webmail, ad networks' click hosts, AI assistants, and the
    /// package names apps send as `android-app://` referrers. Same form as ``data``; these win
    /// over it for the same host.
    static let additions = """
        x.com	social	Twitter
        yahoo.co.jp	search	Yahoo! JAPAN
        search.yahoo.co.jp	search	Yahoo! JAPAN
        ok.ru	social	Odnoklassniki
        quora.com	social	Quora
        web.whatsapp.com	social	WhatsApp
        whatsapp.com	social	WhatsApp
        messenger.com	social	Facebook Messenger
        line.me	social	LINE
        band.us	social	BAND
        flipboard.com	social	Flipboard
        nextdoor.com	social	Nextdoor
        xiaohongshu.com	social	Xiaohongshu
        zhihu.com	social	Zhihu
        truthsocial.com	social	Truth Social
        lemmy.world	social	Lemmy
        app.slack.com	social	Slack
        teams.microsoft.com	social	Microsoft Teams
        teams.live.com	social	Microsoft Teams
        twitch.tv	social	Twitch
        m.twitch.tv	social	Twitch
        dailymotion.com	social	Dailymotion
        rumble.com	social	Rumble
        kick.com	social	Kick
        odysee.com	social	Odysee
        nicovideo.jp	social	Niconico
        support.google.com	referral	Google
        developers.google.com	referral	Google
        drive.google.com	referral	Google Drive
        docs.google.com	referral	Google Docs
        sheets.google.com	referral	Google Docs
        slides.google.com	referral	Google Docs
        accounts.google.com	referral	Google
        myaccount.google.com	referral	Google
        sites.google.com	referral	Google Sites
        groups.google.com	referral	Google Groups
        calendar.google.com	referral	Google Calendar
        meet.google.com	referral	Google Meet
        chat.google.com	referral	Google Chat
        classroom.google.com	referral	Google Classroom
        keep.google.com	referral	Google Keep
        photos.google.com	referral	Google Photos
        cloud.google.com	referral	Google Cloud
        console.cloud.google.com	referral	Google Cloud
        analytics.google.com	referral	Google Analytics
        search.google.com	referral	Google Search Console
        business.google.com	referral	Google Business Profile
        play.google.com	referral	Google Play
        chromewebstore.google.com	referral	Chrome Web Store
        chrome.google.com	referral	Chrome Web Store
        workspace.google.com	referral	Google Workspace
        ads.google.com	referral	Google Ads
        colab.research.google.com	referral	Google Colab
        earth.google.com	referral	Google Earth
        fonts.google.com	referral	Google Fonts
        consent.google.com	search	Google
        mail.google.com	email	Gmail
        inbox.google.com	email	Gmail
        com.google.android.gm	email	Gmail
        outlook.live.com	email	Outlook.com
        outlook.office.com	email	Outlook
        outlook.office365.com	email	Outlook
        outlook.cloud.microsoft	email	Outlook
        mail.live.com	email	Outlook.com
        com.microsoft.office.outlook	email	Outlook
        mail.yahoo.com	email	Yahoo! Mail
        mail.yahoo.co.jp	email	Yahoo! Mail
        mail.yahoo.net	email	Yahoo! Mail
        com.yahoo.mobile.client.android.mail	email	Yahoo! Mail
        mail.aol.com	email	AOL Mail
        com.aol.mobile.aolapp	email	AOL Mail
        mail.proton.me	email	Proton Mail
        mail.protonmail.com	email	Proton Mail
        app.tuta.com	email	Tuta
        mail.tutanota.com	email	Tuta
        app.fastmail.com	email	Fastmail
        fastmail.com	email	Fastmail
        mail.zoho.com	email	Zoho Mail
        mail.zoho.eu	email	Zoho Mail
        mail.yandex.ru	email	Yandex Mail
        mail.yandex.com	email	Yandex Mail
        e.mail.ru	email	Mail.ru
        touch.mail.ru	email	Mail.ru
        mail.qq.com	email	QQ Mail
        exmail.qq.com	email	QQ Mail
        mail.163.com	email	163 Mail
        mail.126.com	email	126 Mail
        mail.naver.com	email	Naver Mail
        mail.daum.net	email	Daum Mail
        email.t-online.de	email	T-Online
        email.seznam.cz	email	Seznam Mail
        navigator.gmx.net	email	GMX
        deref-gmx.net	email	GMX
        deref-gmx.de	email	GMX
        deref-gmx.com	email	GMX
        deref-web.de	email	WEB.DE
        deref-web-02.de	email	WEB.DE
        deref-mail.com	email	Mail.com
        deref-1und1-02.de	email	1&1
        navigator.web.de	email	WEB.DE
        3c.web.de	email	WEB.DE
        3c-bap.web.de	email	WEB.DE
        3c-lxa.mail.com	email	Mail.com
        email.ionos.de	email	IONOS
        email.ionos.com	email	IONOS
        email.ionos.co.uk	email	IONOS
        email.ionos.fr	email	IONOS
        email.ionos.es	email	IONOS
        email.ionos.it	email	IONOS
        hey.com	email	HEY
        app.hey.com	email	HEY
        com.mailchimp.mailchimp	email	Mailchimp
        googleadservices.com	paid-search	Google Ads
        googleads.g.doubleclick.net	paid	Google Ads
        doubleclick.net	paid	Google Ads
        googlesyndication.com	paid	Google Ads
        adservice.google.com	paid	Google Ads
        bat.bing.com	paid	Microsoft Ads
        ads.linkedin.com	paid	LinkedIn Ads
        ads.twitter.com	paid	X Ads
        ads.tiktok.com	paid	TikTok Ads
        taboola.com	paid	Taboola
        trc.taboola.com	paid	Taboola
        outbrain.com	paid	Outbrain
        paid.outbrain.com	paid	Outbrain
        criteo.com	paid	Criteo
        adnxs.com	paid	Xandr
        character.ai	ai	Character.AI
        beta.character.ai	ai	Character.AI
        poe.com	ai	Poe
        pi.ai	ai	Pi
        phind.com	ai	Phind
        kimi.moonshot.cn	ai	Kimi
        kimi.com	ai	Kimi
        doubao.com	ai	Doubao
        tongyi.aliyun.com	ai	Tongyi Qianwen
        yuanbao.tencent.com	ai	Yuanbao
        chat.lmsys.org	ai	LMArena
        lmarena.ai	ai	LMArena
        openrouter.ai	ai	OpenRouter
        t3.chat	ai	T3 Chat
        felo.ai	ai	Felo
        komo.ai	ai	Komo
        andisearch.com	ai	Andi
        consensus.app	ai	Consensus
        elicit.com	ai	Elicit
        copy.ai	ai	Copy.ai
        chat.openai.com	ai	ChatGPT
        com.openai.chatgpt	ai	ChatGPT
        com.anthropic.claude	ai	Claude
        com.google.android.apps.bard	ai	Gemini
        ai.com	ai	ChatGPT
        com.facebook.katana	social	Facebook
        com.facebook.orca	social	Facebook Messenger
        com.instagram.android	social	Instagram
        com.twitter.android	social	Twitter
        com.linkedin.android	social	LinkedIn
        com.reddit.frontpage	social	Reddit
        com.pinterest	social	Pinterest
        com.zhiliaoapp.musically	social	TikTok
        com.ss.android.ugc.trill	social	TikTok
        com.snapchat.android	social	Snapchat
        org.telegram.messenger	social	Telegram
        com.whatsapp	social	WhatsApp
        com.slack	social	Slack
        com.discord	social	Discord
        com.google.android.youtube	social	YouTube
        com.google.android.googlequicksearchbox	search	Google
        com.microsoft.bing	search	Bing
        metager.org	search	MetaGer
        metager.de	search	MetaGer
        search.marginalia.nu	search	Marginalia
        marginalia-search.com	search	Marginalia
        com.duckduckgo.mobile.android	search	DuckDuckGo
        com.instagram.barcelona	social	Threads
        com.microsoft.teams	social	Microsoft Teams
        com.tencent.mm	social	WeChat
        jp.naver.line.android	social	LINE
        org.thoughtcrime.securesms	social	Signal
        com.viber.voip	social	Viber
        com.kakao.talk	social	KakaoTalk
        pin.it	social	Pinterest
        t.me	social	Telegram
        telegram.me	social	Telegram
        wa.me	social	WhatsApp
        m.me	social	Facebook Messenger
        l.messenger.com	social	Facebook Messenger
        redd.it	social	reddit
        instagr.am	social	Instagram
        statics.teams.cdn.office.net	social	Microsoft Teams
        news.url.google.com	search	Google News
        copilot.cloud.microsoft	ai	Copilot
        aistudio.google.com	ai	Google AI Studio
        """
}
