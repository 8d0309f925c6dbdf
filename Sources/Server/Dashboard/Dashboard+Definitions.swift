import Foundation
import HTTPTypes
import Hummingbird
import Query

extension Dashboard {
    /// `GET /api/dashboard/definitions?site=S`: the site's goals and funnels, for anyone who may
    /// read the site (a shared link shows its funnels too).
    func listDefinitions(_ request: Request) async -> Response {
        guard let site = request.uri.queryParameters["site"].map(String.init) else {
            return Self.error(.badRequest, "name the site: /api/dashboard/definitions?site=example.com")
        }
        if let denied = await authorize(request, site: site) { return denied }
        return Self.json(.ok, definitionsObject(site: site))
    }

    /// `POST /api/dashboard/definitions`: `{"site_id", "action": "add_goal" | "remove_goal" |
    /// "add_funnel" | "remove_funnel", …}`. Only an owner with the session's CSRF token may change
    /// definitions (never a viewer or a shared link); the change goes through the same store as
    /// `infinity goals` and `infinity funnels`, and the answer is the site's definitions after it.
    func changeDefinitions(_ request: Request) async throws -> Response {
        if let denied = await ownerOnly(request, what: "change goals and funnels") { return denied }
        guard let definitions else {
            return Self.error(.serviceUnavailable, "this server keeps no goals or funnels")
        }
        let body = try await request.body.collect(upTo: 16 * 1024)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let site = object["site_id"] as? String, let action = object["action"] as? String
        else {
            return Self.error(.badRequest, "send {\"site_id\": …, \"action\": \"add_goal\", …}")
        }
        guard engine.worker.calendar.zones[site] != nil else {
            return Self.error(.notFound, "'\(site)' is not a registered site")
        }
        let name = object["name"] as? String
        do {
            switch action {
            case "add_goal":
                let goal: Goal
                if let event = object["event"] as? String {
                    goal = .event(
                        site: site, event, properties: object["properties"] as? [String: String] ?? [:],
                        name: name?.isEmpty == false ? name : nil)
                } else if let path = object["path"] as? String, let depth = object["scroll"] as? Int {
                    goal = .scroll(site: site, path, depth: depth, name: name?.isEmpty == false ? name : nil)
                } else if let path = object["path"] as? String {
                    goal = .page(site: site, path, name: name?.isEmpty == false ? name : nil)
                } else {
                    return Self.error(.badRequest, "a goal needs an event name or a page path")
                }
                try definitions.add(goal)
            case "add_funnel":
                try definitions.add(
                    Funnel(site: site, name: name ?? "", steps: object["steps"] as? [String] ?? []))
            case "remove_goal", "remove_funnel":
                let removed =
                    action == "remove_goal"
                    ? try definitions.removeGoal(site: site, name: name ?? "")
                    : try definitions.removeFunnel(site: site, name: name ?? "")
                guard removed else { return Self.error(.notFound, "\(site) has no such \(action.dropFirst(7))") }
            default:
                return Self.error(.badRequest, "unknown action '\(action)'")
            }
        } catch let error as QueryError {
            return Self.error(.badRequest, error.message)
        } catch {
            return Self.error(.internalServerError, ServerFailure.report(error, logger: logger))
        }
        logger.info("definitions of \(site) changed in the dashboard", metadata: ["action": "\(action)"])
        return Self.json(.ok, definitionsObject(site: site))
    }

    private func definitionsObject(site: String) -> [String: Any] {
        let goals = engine.definitions?.goals(of: site) ?? []
        let funnels = engine.definitions?.funnels(of: site) ?? []
        return [
            "goals": goals.map { goal -> [String: Any] in
                var entry: [String: Any] = ["name": goal.name, "kind": goal.kind.rawValue]
                if let event = goal.event { entry["event"] = event }
                if let properties = goal.properties { entry["properties"] = properties }
                if let path = goal.path { entry["path"] = path }
                if let depth = goal.scrollDepth { entry["scroll"] = depth }
                return entry
            },
            "funnels": funnels.map { ["name": $0.name, "steps": $0.steps, "labels": $0.labels] },
        ]
    }
}
