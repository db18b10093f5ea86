import Fluent

/// A model's stored columns as a save would write them, parents' ids included: `SessionLookupTests.values` sees a
/// parent as its unloaded model, so a loader that forgot a parent's id would still pass it. Used beside `values`,
/// which covers what this does not: an `@Enum` offers only a changed value here, "default" when loaded.
final class StoredColumns: DatabaseInput {
    private(set) var values: [String: String] = [:]
    let wantsUnmodifiedKeys: Bool

    private init(wantsUnmodifiedKeys: Bool) { self.wantsUnmodifiedKeys = wantsUnmodifiedKeys }

    func set(_ value: DatabaseQuery.Value, at key: FieldKey) { values[key.description] = value.description }

    /// Every column with its value; a property never loaded shows as "default".
    static func of(_ model: some Fields) -> [String: String] {
        let input = StoredColumns(wantsUnmodifiedKeys: true)
        model.input(to: input)
        return input.values
    }

    /// The columns a save would write now: none for a model just loaded.
    static func changed(in model: some Fields) -> Set<String> {
        let input = StoredColumns(wantsUnmodifiedKeys: false)
        model.input(to: input)
        return Set(input.values.keys)
    }
}
