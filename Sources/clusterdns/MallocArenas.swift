import CMalloc

/// The allocator's one control the server uses. The allocator is jemalloc (linked by CMalloc,
/// which also sets how soon it returns unused pages).
enum MallocArenas {
    /// Gives the kernel back every page that holds no live data, now. The first load frees most
    /// of what it allocates — parsed text, records, compiled entries — and the pages stay
    /// resident until the allocator's decay time passes otherwise. Called once the first
    /// snapshot is published, after the listeners are told to bind.
    static func returnFreePages() {
        _ = cmalloc_return_free_pages()
    }
}
