import ArgumentParser
import Foundation
import Ingest
import Server

extension SitesCommand {
    /// `infinity sites share …`: read-only dashboard links.
    struct Share: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "share",
            abstract: "Make an unguessable read-only link to a site's dashboard, list links, or revoke one.",
            discussion: """
                The link shows that one site's dashboard without a login. Only a hash of it is stored; \
                it is printed once. A running `infinity serve` opens a new link, and refuses a revoked one, \
                at its next request: no restart.
                Examples:
                  infinity sites share example.com
                  infinity sites share --list
                  infinity sites share --revoke 3fa85f64
                """)

        @OptionGroup var options: DataOptions
        @Argument(help: "The site to share.") var domain: String?
        @Flag(help: "List the links (ids and sites).") var list = false
        @Option(help: ArgumentHelp("Revoke the link with this id.", valueName: "id")) var revoke: String?

        func validate() throws {
            guard (domain != nil ? 1 : 0) + (list ? 1 : 0) + (revoke != nil ? 1 : 0) == 1 else {
                throw ValidationError("give a site to share, or --list, or --revoke ID")
            }
        }

        func run() throws {
            try options.requireOwner()
            let store = try ShareStore(path: options.data + "/shares.json")
            if list {
                let shares = store.all
                print(
                    shares.isEmpty ? "No shared links." : shares.map { "\($0.id)  \($0.site)" }.joined(separator: "\n"))
            } else if let revoke {
                guard try store.revoke(id: revoke) else {
                    throw CommandFailure("there is no link with id '\(revoke)'; see `infinity sites share --list`")
                }
                print("Revoked link \(revoke) (a running `infinity serve` refuses it from its next request on).")
            } else if let domain {
                let sites = try SiteStore(path: options.data + "/sites.json")
                guard let site = sites.site(for: domain.lowercased()) else {
                    throw CommandFailure("'\(domain)' is not a registered site; see `infinity sites list`")
                }
                let (share, token) = try store.create(site: site.domain)
                print("/share/\(token)")
                Terminal.writeError(
                    "Link \(share.id) shows \(site.domain) read-only: http://YOUR-SERVER/share/\(token) — it is shown only now.\n"
                )
            }
        }
    }
}
