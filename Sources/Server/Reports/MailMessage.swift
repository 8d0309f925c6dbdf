import Foundation

/// An e-mail: plain text with an HTML alternative, UTF-8, ready for SMTP's DATA.
public struct MailMessage: Sendable {
    /// The recipient's address.
    public var to: String
    /// The subject (UTF-8; encoded for the header as needed).
    public var subject: String
    /// The plain-text body.
    public var text: String
    /// The HTML body.
    public var html: String

    /// A message.
    public init(to: String, subject: String, text: String, html: String) {
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }

    /// The whole message as sent after DATA: headers, a multipart/alternative body with both
    /// parts base64-encoded (so no line is too long and no line is a lone dot), CRLF line ends.
    func rendered(from: String, date: Date = Date(), id: String = UUID().uuidString) -> String {
        let boundary = "infinity-" + id
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        func base64(_ text: String) -> String {
            let encoded = Data(text.utf8).base64EncodedString()
            return stride(from: 0, to: encoded.count, by: 76).map { start in
                let from = encoded.index(encoded.startIndex, offsetBy: start)
                let to = encoded.index(from, offsetBy: min(76, encoded.count - start))
                return String(encoded[from..<to])
            }.joined(separator: "\r\n")
        }
        let subjectHeader =
            subject.allSatisfy { $0.isASCII } ? subject : "=?UTF-8?B?" + Data(subject.utf8).base64EncodedString() + "?="
        let lines = [
            "From: \(from)", "To: \(to)", "Subject: \(subjectHeader)", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(id)@infinity-metrics>", "MIME-Version: 1.0", "Auto-Submitted: auto-generated",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "",
            "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "",
            base64(text), "--\(boundary)", "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64", "", base64(html), "--\(boundary)--", "",
        ]
        return lines.joined(separator: "\r\n")
    }
}
