import Foundation
import ReminderDomain

/// The e-mail templates bundled with the worker (`Resources/reminder.html`
/// and `Resources/reminder.txt`).
public enum EmailTemplates {
    /// Loads the bundled templates.
    public static func bundled() throws -> EmailMessage.Templates {
        EmailMessage.Templates(html: TextTemplate(try resource("reminder", "html")), text: TextTemplate(try resource("reminder", "txt")))
    }

    private static func resource(_ name: String, _ type: String) throws -> String {
        let url = Bundle.module.url(forResource: name, withExtension: type, subdirectory: "Resources")
            ?? Bundle.module.url(forResource: name, withExtension: type)
        guard let url, let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw DeliveryError(.configuration, "the e-mail template \(name).\(type) is missing from the bundle")
        }
        return text
    }
}
