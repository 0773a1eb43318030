/**
 * eucalypt: a server for the Gumnut photos API. The module declaration lets vertx-codegen
 * generate the event-bus proxies of the lifecycle services ({@code *Service} interfaces).
 */
@ModuleGen(name = "eucalypt", groupPackage = "org.eucalypt")
package org.eucalypt;

import io.vertx.codegen.annotations.ModuleGen;
