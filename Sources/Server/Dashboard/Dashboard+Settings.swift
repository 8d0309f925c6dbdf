import Foundation
import HTTPTypes
import Hummingbird
import Ingest

extension Dashboard {
    /// Nil when the request comes from a logged-in owner of this page with the session's CSRF
    /// token; else the answer that refuses it (a shared link or a viewer: 403; no session: 401).
    func ownerOnly(_ request: Request, what: String) async -> Response? {
        guard request.headers[HTTPField.Name("X-Share-Token")!] == nil, Self.sameOrigin(request) else {
            return Self.error(.forbidden, "only an owner who is logged in may \(what)")
        }
        guard let session = await authenticatedSession(request, requireCSRF: true) else {
            return Self.error(
                await authenticatedSession(request, requireCSRF: false) == nil ? .unauthorized : .forbidden,
                "log in again (the session ended, or the request lacks its CSRF token)")
        }
        guard users.role(of: session.email) == .owner else {
            return Self.error(.forbidden, "only an owner may \(what); ask an owner to make you one")
        }
        return nil
    }

    /// `GET /api/dashboard/settings`: sites (with the snippet to paste), shared links, Stats API
    /// keys (never the keys themselves) and logins with their roles; for owners only.
    func showSettings(_ request: Request) async -> Response {
        if let denied = await ownerOnly(request, what: "see the settings") { return denied }
        return Self.json(.ok, settingsObject(request))
    }

    /// `POST /api/dashboard/settings`: `{"action": …}` with `add_site` (`domain`, `timezone`),
    /// `create_share` (`site`), `revoke_share` (`id`), `create_key` (`name`, `site` or none for
    /// every site), `revoke_key` (`id`), `add_user` (`email`, `password`, `role`), `remove_user`
    /// (`email`). Owners only, with the CSRF token; each change goes through the same store as the
    /// CLI's and counts at once. A new link or key is in `secret`, shown this once.
    func changeSettings(_ request: Request) async throws -> Response {
        if let denied = await ownerOnly(request, what: "change the settings") { return denied }
        guard let settings else { return Self.error(.serviceUnavailable, "this server has no settings to change") }
        let body = try await request.body.collect(upTo: 16 * 1024)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let action = object["action"] as? String
        else {
            return Self.error(.badRequest, "send {\"action\": \"add_site\", …}")
        }
        func text(_ key: String) -> String { (object[key] as? String)?.trimmingCharacters(in: .whitespaces) ?? "" }
        var secret: String?
        do {
            switch action {
            case "add_site":
                let zone = text("timezone").isEmpty ? nil : text("timezone")
                guard let deletion = settings.deletion else {
                    _ = try settings.sites.add(domain: text("domain"), timezone: zone)
                    engine.worker.calendar.update(zones: settings.sites.timeZones)
                    break
                }
                let added = try deletion.add(domain: text("domain"), timezone: zone)
                engine.worker.calendar.update(zones: settings.sites.timeZones)
                if added.previousTimezone != nil {
                    let entry = added.entry
                    // The site's past days are the old zone's: recount them, off the request.
                    let logger = logger
                    DispatchQueue.global().async {
                        do {
                            let report = try deletion.recount(entry.domain, logger: logger)
                            logger.info(
                                "recounted a site's days in its new time zone",
                                metadata: [
                                    "site": "\(entry.domain)", "timezone": "\(entry.timezone)",
                                    "days": "\(report?.daysWritten ?? 0)",
                                ])
                        } catch {
                            logger.error(
                                "a site's days could not be recounted in its new time zone; run `infinity rebuild --site`",
                                metadata: ["site": "\(entry.domain)", "error": "\(error)"])
                        }
                    }
                }
            case "delete_site":
                guard let deletion = settings.deletion else {
                    return Self.error(.serviceUnavailable, "this server cannot delete sites")
                }
                guard !text("site").isEmpty, text("confirm") == text("site") else {
                    return Self.error(.badRequest, "confirm the deletion with the site's domain in \"confirm\"")
                }
                _ = try deletion.delete(text("site"))
                // The journal's sealed segments are rewritten without its records in the background.
                let logger = logger
                Task.detached {
                    do {
                        let erased = try deletion.eraseJournal(logger: logger)
                        logger.info(
                            "erased a deleted site's records from the journal", metadata: ["records": "\(erased)"])
                    } catch {
                        logger.error(
                            "erasing a deleted site's records failed; the server's compaction tries again",
                            metadata: ["error": "\(error)"])
                    }
                }
            case "create_share":
                guard engine.worker.calendar.zones[text("site")] != nil else {
                    return Self.error(.notFound, "'\(text("site"))' is not a registered site")
                }
                secret = "/share/" + (try shares.create(site: text("site"))).1
            case "revoke_share":
                guard try shares.revoke(id: text("id")) else { return Self.error(.notFound, "there is no such link") }
            case "create_key":
                let site = text("site")
                guard site.isEmpty || engine.worker.calendar.zones[site] != nil else {
                    return Self.error(.notFound, "'\(site)' is not a registered site")
                }
                let name = text("name").isEmpty ? "dashboard" : text("name")
                secret = try settings.keys.create(name: name, sites: site.isEmpty ? [] : [site]).1
            case "revoke_key":
                guard try settings.keys.revoke(id: text("id")) else {
                    return Self.error(.notFound, "there is no such key")
                }
            case "add_user":
                guard let role = UserStore.Role(rawValue: text("role").isEmpty ? "viewer" : text("role")) else {
                    return Self.error(.badRequest, "a role is owner or viewer")
                }
                try users.set(email: text("email"), password: object["password"] as? String ?? "", role: role)
            case "invite_user":
                guard let smtp = settings.smtp else {
                    return Self.error(
                        .badRequest,
                        "this server sends no e-mail (no smtp_url); add the login with a password instead")
                }
                guard let role = UserStore.Role(rawValue: text("role").isEmpty ? "viewer" : text("role")) else {
                    return Self.error(.badRequest, "a role is owner or viewer")
                }
                let token = try settings.invites.create(email: text("email"), role: role)
                let scheme = request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" ? "https" : "http"
                let link = "\(scheme)://\(request.head.authority ?? "localhost")/invite/\(token)"
                let letter = """
                    You are invited to the Infinity Metrics dashboard at \(request.head.authority ?? "") as \(role.rawValue).

                    Choose your password here (the link works once, for 7 days):
                    \(link)
                    """
                let html =
                    "<p>You are invited to the Infinity Metrics dashboard as \(role.rawValue).</p><p><a href=\"\(link)\">Choose your password</a> (the link works once, for 7 days).</p>"
                do {
                    try await SMTPClient(settings: smtp).send(
                        MailMessage(
                            to: text("email").lowercased(), subject: "Your Infinity Metrics invitation", text: letter,
                            html: html))
                } catch {
                    return Self.error(.badGateway, "the invitation could not be sent: \(error)")
                }
            case "remove_import":
                guard let id = object["id"] as? Int, try settings.imported?.remove(site: text("site"), id: id) != nil
                else { return Self.error(.notFound, "there is no such import") }
            case "remove_user":
                let session = await sessions.session(of: request)
                guard session?.email != text("email").lowercased() else {
                    return Self.error(.badRequest, "you cannot remove your own login; ask another owner")
                }
                guard try users.remove(email: text("email")) else {
                    return Self.error(.notFound, "there is no such login")
                }
            default:
                return Self.error(.badRequest, "unknown action '\(action)'")
            }
        } catch let error as IngestError {
            return Self.error(.badRequest, error.description)
        } catch let error as ServerError {
            return Self.error(.badRequest, error.description)
        }
        logger.info("settings changed in the dashboard", metadata: ["action": "\(action)"])
        var answer = settingsObject(request)
        if let secret { answer["secret"] = secret }
        return Self.json(.ok, answer)
    }

    /// `POST /api/dashboard/invite` `{"token", "password"}`: the invited person chooses a password;
    /// the login exists from then on, with the role the invitation named. A token works once.
    func acceptInvite(_ request: Request) async throws -> Response {
        guard Self.sameOrigin(request) else {
            return Self.error(.forbidden, "the invitation must come from this site's page")
        }
        guard let settings else { return Self.error(.notFound, "no such invitation") }
        let body = try await request.body.collect(upTo: 4 * 1024)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let token = object["token"] as? String, let password = object["password"] as? String
        else { return Self.error(.badRequest, "send {\"token\": …, \"password\": …}") }
        guard password.count >= 10 else {
            return Self.error(.badRequest, "the password must have at least 10 characters")
        }
        guard let invite = try settings.invites.redeem(token) else {
            return Self.error(
                .notFound, "this invitation was used already, has expired, or never existed; ask for a new one")
        }
        try users.set(email: invite.email, password: password, role: invite.role)
        logger.info("an invitation was accepted", metadata: ["role": "\(invite.role.rawValue)"])
        return Self.json(.ok, ["email": invite.email, "role": invite.role.rawValue])
    }

    private func settingsObject(_ request: Request) -> [String: Any] {
        let host = request.head.authority ?? "YOUR-SERVER"
        let sites = settings?.sites.entries ?? []
        return [
            "sites": sites.map { site in
                [
                    "domain": site.domain, "timezone": site.timezone,
                    "snippet":
                        "<script defer data-domain=\"\(site.domain)\" src=\"https://\(host)/js/script.js\"></script>",
                ]
            },
            "shares": shares.all.map { ["id": $0.id, "site": $0.site] },
            "keys": (settings?.keys.all ?? []).map { ["id": $0.id, "name": $0.name, "sites": $0.sites] },
            "users": users.roles.map { ["email": $0.email, "role": $0.role.rawValue] },
            "invites": (settings?.invites.pending() ?? []).map { ["email": $0.email, "role": $0.role.rawValue] },
            "mail": settings?.smtp != nil,
            "imports": (settings?.imported?.imports() ?? []).map { record in
                [
                    "id": record.id, "site": record.site, "source": record.source, "files": record.files,
                    "first": record.tables.map(\.first).min() ?? "", "last": record.tables.map(\.last).max() ?? "",
                    "tables": record.tables.map(\.table),
                ] as [String: Any]
            },
        ]
    }
}
