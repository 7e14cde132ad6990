import Foundation

extension MigrationFile {
    /// Reads every `NNN_*.sql` file of `directory`, ordered by version.
    public static func load(fromDirectory directory: String) throws -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StoreError(.configuration, "cannot read the migrations folder \(directory)")
        }
        var files: [MigrationFile] = []
        for name in names where name.hasSuffix(".sql") {
            guard let version = Int(name.prefix { $0.isNumber }) else {
                throw StoreError(.configuration, "migration \(name) does not start with a version number")
            }
            let path = (directory as NSString).appendingPathComponent(name)
            guard let sql = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) else {
                throw StoreError(.configuration, "cannot read migration \(name) as UTF-8")
            }
            files.append(MigrationFile(version: version, name: name, sql: sql))
        }
        files.sort { $0.version < $1.version }
        for (previous, next) in zip(files, files.dropFirst()) where previous.version == next.version {
            throw StoreError(.configuration, "migrations \(previous.name) and \(next.name) share version \(next.version)")
        }
        return files
    }
}
