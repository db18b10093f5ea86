import Foundation

/// Scripts shipped in the package's `Assets` folder, read once at first use and served under `/assets/`.
enum Assets {
    static let scripts = ["vault.js", "vault-ui.js", "witness.js", "tabs.js"]

    private static let cache: [String: String] = {
        var out: [String: String] = [:]
        for name in scripts {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts[1], subdirectory: "Assets"),
                let text = try? String(contentsOf: url, encoding: .utf8)
            else { fatalError("\(name) is missing from the BonafideServer resources") }
            out[name] = text
        }
        return out
    }()

    static func text(_ name: String) -> String { cache[name] ?? "" }
}
