// A string only the inspector page contains: the deploy-bundle test asserts the Worker never ships it.
export const PAGE_MARKER = 'portcullis-dev-inspector'
