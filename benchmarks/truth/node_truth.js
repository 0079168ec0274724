#!/usr/bin/env node
// Runtime route truth of a Node corpus app (benchmark-only; backend-review never runs reviewed code).
//
//   node benchmarks/truth/node_truth.js --checkout <app copy with node_modules> --runtime '<json>'
//
// runtime: {"framework": "express"|"fastify", "entry": "app.js", "env": {...}, "settle_ms": 1500,
//           "stub": ["knex"]}  (modules replaced by an inert stub outright: a database client whose
//           connection at start-up would never resolve without the database)
// Loads the entry file inside the app's own throw-away install, with:
// - every server's listen() turned into a no-op (Fastify's into ready()), so nothing binds a port;
// - a module that fails to load (a native binding npm did not build under --ignore-scripts, a
//   missing optional peer) replaced by an inert stub, so routes declared after it still register;
// - Express: Router.prototype.use / application.use wrapped to remember each layer's mount path
//   (Express 5's router keeps only compiled matchers), then app.router.stack walked recursively;
// - Fastify: an onRoute hook on every root instance records method, url and route-level hooks.
// Prints {"routes": [{method, path, handler, middleware}]} on stdout, what it stubbed on stderr.
'use strict'

const Module = require('module')
const path = require('path')
const http = require('http')
const https = require('https')
const net = require('net')

const args = process.argv.slice(2)
const opt = (name) => args[args.indexOf(name) + 1]
const checkout = path.resolve(opt('--checkout'))
const runtime = JSON.parse(opt('--runtime') || '{}')
Object.assign(process.env, runtime.env || {})
// the app's own console output goes to stderr: stdout carries the JSON alone
const writeOut = process.stdout.write.bind(process.stdout)
process.stdout.write = process.stderr.write.bind(process.stderr)

// Nothing listens, nothing connects out for long.
for (const proto of [http.Server.prototype, https.Server.prototype, net.Server.prototype]) {
  proto.listen = function () {
    const cb = [...arguments].find((a) => typeof a === 'function')
    if (cb) setImmediate(cb)
    return this
  }
}

function stub (name) {
  const target = function () {}
  return new Proxy(target, {
    get (t, key) {
      if (key === Symbol.toPrimitive) return () => ''
      if (key === 'then') return undefined
      if (key === '__esModule') return false
      if (key === 'prototype') return {}
      return stub(`${name}.${String(key)}`)
    },
    apply () { return stub(`${name}()`) },
    construct () { return stub(`new ${name}`) }
  })
}

const expressApps = []
const fastifyRoots = []
const fastifyRoutes = []
const stubbed = []
const appRequire = Module.createRequire(path.join(checkout, 'package.json'))

function patchExpress (express) {
  if (express.__truthPatched) return express
  express.__truthPatched = true
  const Router = express.Router
  const proto = Router.prototype && Router.prototype.use ? Router.prototype : Router
  const originalUse = proto.use
  proto.use = function (first) {
    const mount = typeof first === 'string' || Array.isArray(first) || first instanceof RegExp ? first : '/'
    const before = this.stack.length
    const out = originalUse.apply(this, arguments)
    for (const layer of this.stack.slice(before)) layer.__mount = mount
    return out
  }
  const appUse = express.application.use
  express.application.use = function () {
    const subapps = [...arguments].flat(Infinity).filter((fn) => fn && typeof fn.handle === 'function' && typeof fn.set === 'function')
    const stack = () => (this.router || this._router || { stack: [] }).stack
    const before = stack().length
    const out = appUse.apply(this, arguments)
    const added = stack().slice(before)
    added.forEach((layer, i) => { if (subapps[i]) layer.__subapp = subapps[i] })
    return out
  }
  const wrapped = function () {
    const app = express.apply(this, arguments)
    expressApps.push(app)
    return app
  }
  Object.assign(wrapped, express)
  return wrapped
}

function patchFastify (fastify) {
  if (fastify.__truthPatched) return fastify
  const factory = typeof fastify === 'function' ? fastify : fastify.default || fastify.fastify
  const wrapped = function () {
    const instance = factory.apply(this, arguments)
    fastifyRoots.push(instance)
    instance.addHook('onRoute', (route) => {
      const hooks = {}
      for (const name of ['onRequest', 'preParsing', 'preValidation', 'preHandler']) {
        const value = route[name]
        if (value) hooks[name] = [].concat(value).map((fn) => fn.name || 'anonymous')
      }
      for (const method of [].concat(route.method)) {
        fastifyRoutes.push({
          method: String(method).toUpperCase(),
          path: route.url,
          handler: (route.handler && route.handler.name) || 'anonymous',
          middleware: hooks,
          schema: Boolean(route.schema)
        })
      }
    })
    instance.listen = async function () { await instance.ready(); return 'http://127.0.0.1:0' }
    return instance
  }
  Object.assign(wrapped, fastify)
  wrapped.default = wrapped
  wrapped.fastify = wrapped
  wrapped.__truthPatched = true
  return wrapped
}

const patched = new Map()
const originalLoad = Module._load
const forced = new Set(runtime.stub || [])
Module._load = function (request, parent) {
  if (forced.has(request)) return stub(request)
  let loaded
  try {
    loaded = originalLoad.apply(this, arguments)
  } catch (error) {
    if (parent && parent.filename && parent.filename.startsWith(path.join(checkout, 'node_modules', 'express'))) throw error
    stubbed.push(`${request}: ${String(error.message).split('\n')[0]}`)
    return stub(request)
  }
  if (request === 'express' || request === 'fastify') {
    if (!patched.has(loaded)) patched.set(loaded, request === 'express' ? patchExpress(loaded) : patchFastify(loaded))
    return patched.get(loaded)
  }
  return loaded
}

function joinPath (prefix, local) {
  const left = String(prefix === '/' ? '' : prefix).replace(/\/$/, '')
  const right = String(local)
  const joined = left + (right.startsWith('/') || right === '' ? right : '/' + right)
  return joined === '' ? '/' : joined
}

function layerName (layer) {
  return (layer.handle && layer.handle.name) || layer.name || 'anonymous'
}

function walkExpress (stack, prefix, middleware, out, depth = 0) {
  if (depth > 20) return
  const seen = [...middleware]
  for (const layer of stack) {
    const mounts = [].concat(layer.__mount === undefined ? '/' : layer.__mount)
    for (const mount of mounts) {
      const here = joinPath(prefix, mount instanceof RegExp ? String(mount) : mount)
      if (layer.route) {
        const route = layer.route
        const names = route.stack.map(layerName)
        const methods = Object.keys(route.methods).filter((m) => route.methods[m])
        for (const local of [].concat(route.path)) {
          for (const m of methods) {
            out.push({
              method: m === '_all' ? '*' : m.toUpperCase(),
              path: joinPath(here, local instanceof RegExp ? String(local) : local),
              handler: names[names.length - 1],
              middleware: [...seen, ...names.slice(0, -1)]
            })
          }
        }
      } else if (layer.__subapp) {
        const sub = layer.__subapp
        walkExpress((sub.router || sub._router || { stack: [] }).stack, here, seen, out, depth + 1)
      } else if (layer.handle && Array.isArray(layer.handle.stack)) {
        walkExpress(layer.handle.stack, here, seen, out, depth + 1)
      } else if (mount === '/' && prefix === '') {
        seen.push(layerName(layer))
      }
    }
  }
}

process.on('unhandledRejection', (error) => { stubbed.push(`unhandled rejection: ${error && error.message}`) })
process.on('uncaughtException', (error) => { stubbed.push(`uncaught exception: ${error && error.message}`) })
process.chdir(checkout)
const exit = process.exit
process.exit = (code) => { stubbed.push(`process.exit(${code}) ignored`) }

appRequire(path.resolve(checkout, runtime.entry || '.'))

setTimeout(async () => {
  const routes = []
  for (const app of expressApps) {
    const router = app.router || app._router
    if (router && router.stack) walkExpress(router.stack, '', [], routes)
  }
  for (const root of fastifyRoots) {
    try { await root.ready() } catch (error) { stubbed.push(`fastify ready: ${error.message}`) }
  }
  // Fastify's exposeHeadRoutes adds a HEAD twin to every GET (the scorer ignores implicit HEAD);
  // a '*' route is a plugin's catch-all (@fastify/cors preflight): kept, marked builtin
  const gets = new Set(fastifyRoutes.filter((r) => r.method === 'GET').map((r) => r.path))
  for (const route of fastifyRoutes) {
    if (route.method === 'HEAD' && gets.has(route.path)) continue
    routes.push(route.path === '*' ? { ...route, builtin: true } : route)
  }
  for (const line of stubbed) process.stderr.write(`stubbed: ${line}\n`)
  writeOut(JSON.stringify({ routes }, null, 1) + '\n')
  exit(0)
}, runtime.settle_ms || 1500)
